package rebuild

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tfrebuild/tfrebuild/terraform"
	"github.com/tfrebuild/tfrebuild/tfstate"
)

// The state lock of every engine command that writes a state (apply,
// destroy, import) is taken by tfrebuild itself, in the engine's own
// format, under an ID of this run's own (RUNID-RANDOM), and the engine
// runs with -lock=false under it. So the run knows which lock is its own:
// it releases that one by its ID when the command ends, and the next run
// recognises the lock a crashed run left by the ID (releaseStaleLock).
// And a lock request answered late and retried finds its own lock and
// goes on, where the engine would wait its whole lock_timeout on itself.

// holdStateLock takes a stack's state lock for one engine command and
// returns its release; a backend without locking needs none.
func (c *core) holdStateLock(ctx context.Context, s terraform.Stack) (func(), error) {
	if s.Backend.LockTable == "" && !s.Backend.UseLockfile {
		return func() {}, nil
	}
	l := c.locate(s.Backend)
	states, err := c.stateClient()
	if err != nil {
		return nil, err
	}
	info := tfstate.LockInfo{ID: stateLockID(c.runID), Operation: "OperationTypeApply", Who: WhoAmI(),
		Version: engineVersion(c.engine), Created: time.Now().UTC()}
	wait := c.cfg.Terraform.LockTimeout
	if wait <= 0 {
		wait = time.Minute
	}
	if err := states.Acquire(ctx, l, info, "tfrebuild run "+c.runID, wait); err != nil {
		var held *tfstate.HeldError
		if errors.As(err, &held) {
			return nil, fmt.Errorf("%w. If nobody is running %s on it, release it with:\n  %s\nthen run again",
				err, c.engineTitle(), c.stateCommand(s.Name, "force-unlock", "-force", held.Info.ID))
		}
		return nil, err
	}
	return func() {
		if err := states.ForceUnlock(context.WithoutCancel(ctx), l, info.ID); err != nil {
			c.note("stack."+s.Name, fmt.Sprintf("could not release its own state lock %s: %v; the next run releases it", info.ID, err))
		}
	}, nil
}

// stateLockID is a state lock ID of this run's: its run ID, then random.
func stateLockID(runID string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return runID + "-" + hex.EncodeToString(b)
}

// lockOfRun reports whether a state lock was taken by the run runID.
func lockOfRun(info *tfstate.LockInfo, runID string) bool {
	return runID != "" && strings.HasPrefix(info.ID, runID+"-")
}

// engineVersion is the version in an engine label ("terraform 1.11.4").
func engineVersion(label string) string {
	f := strings.Fields(label)
	if len(f) == 0 {
		return ""
	}
	return f[len(f)-1]
}
