package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/history"
	"github.com/tfrebuild/tfrebuild/stages"
)

// openHistory is the target's history: the records under .tfrebuild
// beside the config and, with the DynamoDB checkpoint store, those in the
// lock table (when it exists: after destroy --all it does not).
func openHistory(ctx context.Context, cfg *config.Config) (history.Store, error) {
	local := &history.FileStore{Dir: filepath.Join(cfg.StateDir(), "history")}
	if cfg.Checkpoint.Store != "dynamodb" {
		return local, nil
	}
	ss, _, err := bootstrap.OpenGuarded(ctx, cfg)
	if err != nil {
		return nil, err
	}
	s, err := ss.For(bootstrap.AccountOf(cfg, cfg.State.Account))
	if err != nil {
		return nil, err
	}
	if exists, err := s.TableExists(ctx, cfg.State.LockTable); err != nil {
		return nil, err
	} else if !exists {
		return local, nil
	}
	key := fmt.Sprintf("%s/%s/%s", cfg.Project, cfg.Target.AccountID, cfg.Target.Region)
	return history.Both{local, &history.DynamoStore{DB: s.DDB, Table: cfg.State.LockTable, Key: key}}, nil
}

// appendHistory records a rebuild or drill in the target's history. A
// record that cannot be written is said, and does not fail the run.
func appendHistory(ctx context.Context, w io.Writer, cfg *config.Config, r *history.Record) {
	if r == nil {
		return
	}
	h, err := openHistory(ctx, cfg)
	if err == nil {
		err = h.Append(ctx, *r)
	}
	if err != nil {
		fmt.Fprintf(w, "warning: this %s is not in the history (report --history, the predicted RTO): %v\n", r.Kind, err)
	}
}

// printPrediction prints the RTO the history predicts for a rebuild of
// the pipeline with, and how many runs it rests on.
func printPrediction(ctx context.Context, w io.Writer, cfg *config.Config, with []string) {
	p, err := stages.Build(cfg, with)
	if err != nil {
		return
	}
	h, err := openHistory(ctx, cfg)
	var list []history.Record
	if err == nil {
		list, err = h.List(ctx, 0)
	}
	if err != nil {
		fmt.Fprintf(w, "Predicted RTO: unknown (the history cannot be read: %v)\n", err)
		return
	}
	pred := history.Predict(history.Nodes(p), list)
	if pred.Runs == 0 {
		fmt.Fprintln(w, "Predicted RTO: unknown (no rebuild or drill on record yet)")
		return
	}
	line := fmt.Sprintf("Predicted RTO: %s (from %d runs; critical path %v)", time.Duration(pred.Seconds*float64(time.Second)).Round(time.Second), pred.Runs, pred.Path)
	if cfg.RTO > 0 {
		line += fmt.Sprintf(", objective %s", cfg.RTO)
	}
	fmt.Fprintln(w, line)
}
