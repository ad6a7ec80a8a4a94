package checkpoint

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Store keeps a checkpoint. Load returns (nil, nil) when there is none yet.
// Lock takes the one-run-per-target lock: it fails with a *LockedError
// while another live run holds it, and takes over (returning the old
// holder) a lock whose holder is provably gone.
type Store interface {
	Load(ctx context.Context) (*Checkpoint, error)
	Save(ctx context.Context, c *Checkpoint) error
	Lock(ctx context.Context, me Holder) (RunLock, *Holder, error)
	// Locked reports the live holder of the run lock, or nil.
	Locked(ctx context.Context) (*Holder, error)
}

// RunLock is a held run lock.
type RunLock interface {
	Release(ctx context.Context) error
}

// ErrCorrupt is a checkpoint that cannot be read back.
var ErrCorrupt = errors.New("checkpoint is corrupt")

// Holder identifies a tfrebuild process driving a target.
type Holder struct {
	RunID     string    `json:"run_id"`
	Host      string    `json:"host"`
	PID       int       `json:"pid"`
	User      string    `json:"user,omitempty"`
	Since     time.Time `json:"since"`
	Heartbeat time.Time `json:"heartbeat,omitempty"`
	// Config is the config file the holder runs, as a path on its host:
	// two checkouts of one config on one host differ here.
	Config string `json:"config,omitempty"`
	// Token is the fencing token of the target's run lease: it grows by
	// one each time the lease changes hands.
	Token int64 `json:"token,omitempty"`
}

func (h Holder) String() string {
	s := fmt.Sprintf("run %s, pid %d on %s (%s) since %s", h.RunID, h.PID, h.Host, h.User, h.Since.Format(time.RFC3339))
	if h.Config != "" {
		s += ", config " + h.Config
	}
	return s
}

// LockedError is a target another live run is driving.
type LockedError struct {
	Holder Holder
	Where  string
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("another tfrebuild is driving this target: %s (lock: %s); wait for it to finish, or stop it, then run apply again", e.Holder, e.Where)
}

// CheckSchema refuses a checkpoint written by a newer tfrebuild; where
// names it in the error.
func CheckSchema(c *Checkpoint, where string) error {
	if c.Schema > SchemaVersion {
		return fmt.Errorf("checkpoint %s has schema %d, newer than this tfrebuild understands (%d); upgrade tfrebuild", where, c.Schema, SchemaVersion)
	}
	return nil
}

// KeyStore is a store that keeps the key of the checkpoint's keyed hashes
// beside the checkpoint, so that a resume from another machine makes the
// same skip decisions. HashKey returns the stored key, storing fresh
// first when there is none (the first writer wins; everyone gets its key).
type KeyStore interface {
	HashKey(ctx context.Context, fresh []byte) ([]byte, error)
}
