package rebuild

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/stages"
)

// Status is what `tfrebuild status` reports. Its JSON form is a contract.
type Status struct {
	Project        string         `json:"project"`
	Account        string         `json:"account"`
	Region         string         `json:"region"`
	RunID          string         `json:"run_id,omitempty"`
	StartedAt      *time.Time     `json:"started_at,omitempty"`
	Running        *stages.Holder `json:"running,omitempty"`
	ElapsedSeconds float64        `json:"elapsed_seconds"`
	RTOSeconds     float64        `json:"rto_seconds,omitempty"`
	Next           []string       `json:"next"`
	Drift          []string       `json:"drift"`
	Stages         []StageStatus  `json:"stages"`
}

// StageStatus is one stage in the status report.
type StageStatus struct {
	Name        string        `json:"name"`
	Status      stages.Status `json:"status"`
	StartedAt   *time.Time    `json:"started_at"`
	FinishedAt  *time.Time    `json:"finished_at"`
	Seconds     float64       `json:"seconds,omitempty"`
	Attempts    int           `json:"attempts"`
	Error       string        `json:"error,omitempty"`
	Notes       []string      `json:"notes,omitempty"`
	ConfirmedBy string        `json:"confirmed_by,omitempty"`
}

// ReadStatus reads the checkpoint of cfg's target. Without one, every stage
// is pending.
func ReadStatus(ctx context.Context, cfg *config.Config, now time.Time) (*Status, error) {
	store, err := openStore(ctx, cfg, false)
	if err != nil {
		return nil, err
	}
	var c *stages.Checkpoint
	var live *stages.Holder
	if store != nil {
		if c, err = store.Load(ctx); err != nil {
			return nil, err
		}
		if live, err = store.Locked(ctx); err != nil {
			return nil, err
		}
	}
	if c == nil {
		c = &stages.Checkpoint{}
	}
	p, err := stages.Build(cfg, c.With)
	if err != nil {
		return nil, err
	}
	st := &Status{Project: cfg.Project, Account: cfg.Target.AccountID, Region: cfg.Target.Region, RunID: c.RunID,
		RTOSeconds: cfg.RTO.Seconds(), Next: []string{}, Drift: []string{}}
	if !c.StartedAt.IsZero() {
		st.StartedAt = &c.StartedAt
		st.ElapsedSeconds = now.Sub(c.StartedAt).Seconds()
	}
	status := map[string]stages.Status{}
	for _, s := range p.Stages {
		rec := c.Stages[s.Name]
		if rec == nil {
			rec = &stages.StageRecord{Status: stages.Pending}
			if s.Skipped {
				rec.Status = stages.Skipped
			}
		}
		stat := rec.Status
		if stat == stages.Running && live == nil {
			// Nobody holds the run lock: the run that was driving it died.
			stat = stages.Interrupted
		}
		status[s.Name] = stat
		row := StageStatus{Name: s.Name, Status: stat, StartedAt: rec.StartedAt, FinishedAt: rec.FinishedAt,
			Attempts: rec.Attempts, Error: rec.Error, Notes: rec.Notes, ConfirmedBy: rec.ConfirmedBy}
		if rec.StartedAt != nil && rec.FinishedAt != nil {
			row.Seconds = rec.FinishedAt.Sub(*rec.StartedAt).Seconds()
		}
		for _, n := range rec.Notes {
			if strings.HasPrefix(n, "drift ") {
				st.Drift = append(st.Drift, s.Name+": "+n)
			}
		}
		st.Stages = append(st.Stages, row)
	}
	st.Running = live
	st.Next = append(st.Next, next(p, status)...)
	if len(st.Next) == 0 && st.StartedAt != nil {
		// Complete: the clock stopped when the last stage finished.
		var last time.Time
		for _, s := range st.Stages {
			if s.FinishedAt != nil && s.FinishedAt.After(last) {
				last = *s.FinishedAt
			}
		}
		st.ElapsedSeconds = last.Sub(*st.StartedAt).Seconds()
	}
	return st, nil
}

// next lists the stages a resumed apply would start with.
func next(p *stages.Pipeline, status map[string]stages.Status) []string {
	var out []string
	for _, s := range p.Stages {
		switch status[s.Name] {
		case stages.Done, stages.Skipped:
			continue
		case stages.Failed, stages.Interrupted, stages.Running, stages.Waiting:
			out = append(out, s.Name)
			continue
		}
		ready := true
		for _, d := range s.Deps {
			ready = ready && (status[d] == stages.Done || status[d] == stages.Skipped)
		}
		if ready {
			out = append(out, s.Name)
		}
	}
	return out
}

// WriteText prints the status as a table.
func (st *Status) WriteText(w io.Writer) {
	fmt.Fprintf(w, "%s → account %s, %s", st.Project, st.Account, st.Region)
	if st.StartedAt == nil {
		fmt.Fprintln(w, ": no rebuild has started")
	} else {
		el := time.Duration(st.ElapsedSeconds * float64(time.Second)).Round(time.Second)
		if len(st.Next) == 0 {
			fmt.Fprintf(w, ": rebuild began %s and took %s", st.StartedAt.Format(time.RFC3339), el)
		} else {
			fmt.Fprintf(w, ": rebuild began %s, %s ago", st.StartedAt.Format(time.RFC3339), el)
		}
		if st.RTOSeconds > 0 {
			fmt.Fprintf(w, " (RTO %s)", time.Duration(st.RTOSeconds*float64(time.Second)))
		}
		fmt.Fprintln(w)
	}
	if st.Running != nil {
		fmt.Fprintf(w, "a run is in progress: %s\n", st.Running)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nSTAGE\tSTATUS\tATTEMPTS\tSTARTED\tTIME\tERROR")
	for _, s := range st.Stages {
		started, took := "-", "-"
		if s.StartedAt != nil {
			started = s.StartedAt.Local().Format("15:04:05")
		}
		if s.Seconds > 0 {
			took = time.Duration(s.Seconds * float64(time.Second)).Round(100 * time.Millisecond).String()
		}
		errText, _, _ := strings.Cut(s.Error, "\n")
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", s.Name, s.Status, s.Attempts, started, took, errText)
	}
	tw.Flush()
	if len(st.Next) > 0 {
		fmt.Fprintf(w, "\nnext: %s\n", strings.Join(st.Next, ", "))
	} else if st.StartedAt != nil {
		fmt.Fprintln(w, "\nnext: nothing; the rebuild is complete")
	}
	for _, d := range st.Drift {
		fmt.Fprintln(w, d)
	}
}

// WriteJSON prints the status as JSON.
func (st *Status) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(st)
}

// Confirm records that a person did a manual step.
func Confirm(ctx context.Context, cfg *config.Config, step, by string, now time.Time) error {
	found := false
	for _, s := range cfg.Steps {
		found = found || s.Name == step
	}
	if !found {
		var names []string
		for _, s := range cfg.Steps {
			names = append(names, s.Name)
		}
		return fmt.Errorf("there is no step %q in %s (steps: %s)", step, cfg.Filename, strings.Join(names, ", "))
	}
	store, err := openStore(ctx, cfg, false)
	if err != nil {
		return err
	}
	var c *stages.Checkpoint
	if store != nil {
		if c, err = store.Load(ctx); err != nil {
			return err
		}
	}
	if c == nil {
		return errors.New("no rebuild has started for this target; run tfrebuild apply first")
	}
	// The running apply rewrites the checkpoint from memory: confirm
	// between runs, never under one.
	lock, _, err := store.Lock(ctx, me("confirm"))
	if err != nil {
		return fmt.Errorf("%w (confirm once it has stopped at the step)", err)
	}
	defer lock.Release(context.WithoutCancel(ctx))
	if c, err = store.Load(ctx); err != nil {
		return err
	}
	rec := c.Stage("step." + step)
	t := now.UTC()
	rec.ConfirmedBy, rec.ConfirmedAt = by, &t
	c.UpdatedAt = t
	return store.Save(ctx, c)
}
