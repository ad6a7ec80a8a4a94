package rebuild

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"time"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/stages/ddbstore"
)

// StateDir is the folder beside the config that holds the checkpoint and
// the stacks' work folders.
func StateDir(cfg *config.Config) string { return filepath.Join(cfg.Dir, ".tfrebuild") }

// openStore returns the checkpoint store the config selects. For the
// DynamoDB store, forWrite makes sure the lock table exists first, after
// the guard has checked the account: the run lock and the checkpoint live
// there from the very first stage. Read-only callers (status) get a nil
// store when the table does not exist yet.
func openStore(ctx context.Context, cfg *config.Config, forWrite bool) (stages.Store, error) {
	if cfg.Checkpoint.Store != "dynamodb" {
		return &stages.FileStore{Path: filepath.Join(StateDir(cfg), "checkpoint.json")}, nil
	}
	s, err := bootstrap.Load(ctx, cfg.Project, cfg.Target)
	if err != nil {
		return nil, err
	}
	if _, err := s.Guard(ctx, cfg.Target); err != nil {
		return nil, err
	}
	if forWrite {
		opts := bootstrap.Options{Project: cfg.Project, Tags: cfg.Tags, Converge: true}
		if _, err := s.EnsureLockTable(ctx, cfg.State.LockTable, opts); err != nil {
			return nil, fmt.Errorf("checkpoint store: %w", err)
		}
	} else if exists, err := s.TableExists(ctx, cfg.State.LockTable); err != nil || !exists {
		return nil, err
	}
	key := fmt.Sprintf("%s/%s/%s", cfg.Project, cfg.Target.AccountID, cfg.Target.Region)
	return &ddbstore.Store{DB: s.DDB, Table: cfg.State.LockTable, Key: key}, nil
}

// me identifies this process as a run lock holder.
func me(runID string) stages.Holder {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return stages.Holder{RunID: runID, Host: stages.Hostname(), PID: os.Getpid(), User: name, Since: time.Now().UTC()}
}

// WhoAmI names the person confirming a step: user@host.
func WhoAmI() string {
	h := me("")
	return h.User + "@" + h.Host
}
