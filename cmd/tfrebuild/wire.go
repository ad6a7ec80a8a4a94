package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/checkpoint"
	ckddb "github.com/tfrebuild/tfrebuild/checkpoint/dynamodb"
	ckfile "github.com/tfrebuild/tfrebuild/checkpoint/file"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/rebuild"
	"github.com/tfrebuild/tfrebuild/restore"
	"github.com/tfrebuild/tfrebuild/terraform"
	"github.com/tfrebuild/tfrebuild/tfstate"
)

// The real implementations of the engine's collaborators are built here
// and handed to it in rebuild.Deps: the guarded AWS sessions (and, per
// account, the client of its state objects and its restorers), Terraform
// or OpenTofu, and the checkpoint store. The engine keeps the interfaces;
// its unit tests pass fakes.

// wired is the engine's real collaborators.
func wired() rebuild.Deps {
	return rebuild.Deps{Connect: connect, Terraform: findTerraform, Store: openStore}
}

var (
	_ rebuild.Cloud       = (*bootstrap.Session)(nil)
	_ rebuild.Credentials = (*bootstrap.Session)(nil)
	_ rebuild.States      = (*tfstate.Client)(nil)
	_ rebuild.Terraform   = (*terraform.Runner)(nil)
	_ rebuild.Restorers   = sessionRestorers{}
)

// connect opens a session with the target and every declared account,
// behind the guard; each account's state objects are read with its own
// session.
func connect(ctx context.Context, cfg *config.Config) (*rebuild.Connection, error) {
	ss, ids, err := bootstrap.OpenGuarded(ctx, cfg)
	if err != nil {
		return nil, err
	}
	conn := &rebuild.Connection{Identity: ids[""], Accounts: map[string]*rebuild.AccountSession{}}
	names := []string{""}
	for _, a := range cfg.Accounts {
		names = append(names, a.Name)
	}
	for _, name := range names {
		s, err := ss.For(bootstrap.AccountOf(cfg, name))
		if err != nil {
			return nil, err
		}
		states := &tfstate.Client{S3: s.S3, DDB: s.DDB}
		acct := &rebuild.AccountSession{Account: s.Account, Identity: ids[name], Cloud: s, States: states, Credentials: s, Restorers: sessionRestorers{s}}
		conn.Accounts[name] = acct
		if name == "" {
			conn.Cloud, conn.States, conn.Endpoints, conn.Restorers = s, states, s.Endpoints, acct.Restorers
		}
	}
	return conn, nil
}

// findTerraform finds the pinned engine and returns a runner whose work
// folders are under workRoot.
func findTerraform(ctx context.Context, cfg *config.Config, workRoot string, download bool) (rebuild.Terraform, *terraform.Binary, error) {
	e := terraform.Engine{Name: cfg.Terraform.EngineName(), Version: cfg.Terraform.Version, Path: cfg.Terraform.Path}
	fetch := terraform.InstalledOnly
	if download {
		fetch = terraform.MayDownload
	}
	bin, err := terraform.FindEngine(ctx, e, fetch)
	if err != nil {
		return nil, nil, err
	}
	return &terraform.Runner{Binary: bin, WorkRoot: workRoot, PluginCache: filepath.Join(cfg.StateDir(), "plugin-cache"),
		LockTimeout: cfg.Terraform.LockTimeout, Spares: true}, bin, nil
}

// openStore returns the checkpoint store the config selects. The
// DynamoDB store is the lock table in the state's account. Before it is
// opened, the guard checks the target and every account, since forWrite
// creates the table when it is missing: the run lock and the checkpoint
// live there from the very first stage. Read-only callers (status) get a
// nil store when the table does not exist yet.
func openStore(ctx context.Context, cfg *config.Config, forWrite bool) (checkpoint.Store, error) {
	if cfg.Checkpoint.Store != "dynamodb" {
		return &ckfile.Store{Path: filepath.Join(cfg.StateDir(), "checkpoint.json")}, nil
	}
	ss, _, err := bootstrap.OpenGuarded(ctx, cfg)
	if err != nil {
		return nil, err
	}
	s, err := ss.For(bootstrap.AccountOf(cfg, cfg.State.Account))
	if err != nil {
		return nil, err
	}
	if forWrite {
		opts := bootstrap.Options{Project: cfg.Project, Target: cfg.TargetID(), Tags: cfg.Tags, Converge: true}
		if _, err := s.EnsureLockTable(ctx, cfg.State.LockTable, opts); err != nil {
			return nil, fmt.Errorf("checkpoint store: %w", err)
		}
	} else if exists, err := s.TableExists(ctx, cfg.State.LockTable); err != nil || !exists {
		return nil, err
	}
	key := fmt.Sprintf("%s/%s/%s", cfg.Project, cfg.Target.AccountID, cfg.Target.Region)
	return &ckddb.Store{DB: s.DDB, Table: cfg.State.LockTable, Key: key}, nil
}

// sessionRestorers are the real restorers, over a guarded session: the
// session's credentials, region and endpoint overrides.
type sessionRestorers struct{ s *bootstrap.Session }

func (r sessionRestorers) Tables(sourceRegion string, note func(string)) rebuild.TableRestorer {
	t := restore.NewTables(r.s.Config, sourceRegion)
	t.Note, t.Account = note, r.s.Account.CLI()
	return t
}

func (r sessionRestorers) Buckets(sourceRegion string, note func(string)) rebuild.BucketRestorer {
	pathStyle := r.s.Endpoints["s3"] != ""
	b := restore.NewBuckets(r.s.Config, sourceRegion, func(o *s3.Options) {
		// Emulators need path-style addressing and return no checksums.
		o.UsePathStyle = pathStyle
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	b.Note = note
	return b
}
