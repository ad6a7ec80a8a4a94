package timeline

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/stages"
)

var update = flag.Bool("update", false, "rewrite the golden status files in testdata/")

// The fixtures under testdata/rebuild are checkpoints recorded by the
// engine (rebuild's TestTheRTOClockSpansFailureFixAndResume) at four
// moments of one rebuild of testdata/rebuild/rebuild.hcl:
//
//	03:00 run 1: base applies (10m), app fails after 5m; the run ends 03:15
//	03:35 run 2, after a fix: app applies (5m), the check passes, the step waits at 03:40
//	03:50 a person confirms the step
//	03:55 run 3 goes past the step: the rebuild is complete
//
// 1-failed is saved after run 1, 2-waiting after run 2, 3-confirmed
// after the confirmation, 4-complete after run 3.

func at(hhmm string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", "2026-11-25 "+hhmm)
	if err != nil {
		panic(err)
	}
	return t
}

// recorded loads a recorded checkpoint and the pipeline of its config.
func recorded(t *testing.T, name string) (*config.Config, *checkpoint.Checkpoint, *stages.Pipeline) {
	t.Helper()
	cfg, diags := config.Load(filepath.Join("testdata", "rebuild", "rebuild.hcl"))
	if diags.HasErrors() {
		t.Fatal(config.DiagnosticsError(diags))
	}
	b, err := os.ReadFile(filepath.Join("testdata", "rebuild", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var c checkpoint.Checkpoint
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	p, err := stages.Build(cfg, c.With)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, &c, p
}

// Every minute of the rebuild is counted once, in the right column, at
// each moment it can be read.
func TestClockOnRecordedCheckpoints(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		fixture, now, live                            string
		elapsed, working, failed, waiting, idle, runs float64
		met                                           bool
	}{
		{"1-failed", "03:15", "", 15, 10, 5, 0, 0, 1, true},
		// Nobody runs while the fix is made: idle time.
		{"1-failed", "03:35", "", 35, 10, 5, 0, 20, 1, true},
		// The step waits for a person from 03:40 until now.
		{"2-waiting", "03:45", "", 45, 15, 5, 5, 20, 2, true},
		// Confirmed at 03:50; the next run has not started yet.
		{"3-confirmed", "03:55", "", 55, 15, 5, 10, 25, 2, true},
		// The clock stops when the last stage finished, however late it is read.
		{"4-complete", "05:00", "", 55, 15, 5, 10, 25, 3, true},
		// Read two hours after a failure: over the 1h RTO.
		{"1-failed", "05:00", "", 120, 10, 5, 0, 105, 1, false},
	} {
		cfg, ck, p := recorded(t, c.fixture)
		r := Clock(ck, p, cfg.RTO, at(c.now), c.live)
		got := []float64{r.ElapsedSeconds, r.WorkingSeconds, r.FailedSeconds, r.WaitingSeconds, r.IdleSeconds, float64(r.Runs)}
		want := []float64{c.elapsed, c.working, c.failed, c.waiting, c.idle, c.runs}
		for i := range 5 {
			want[i] *= 60
		}
		for i, name := range []string{"elapsed", "working", "failed", "waiting", "idle", "runs"} {
			if got[i] != want[i] {
				t.Errorf("%s at %s: %s = %v, want %v (%+v)", c.fixture, c.now, name, got[i], want[i], r)
			}
		}
		if r.Met != c.met || !r.RebuildStarted.Equal(at("03:00")) || r.TargetSeconds != 3600 {
			t.Errorf("%s at %s: %+v, want met=%v from 03:00 against 1h", c.fixture, c.now, r, c.met)
		}
	}
}

// A run still going: its open attempt runs until now and counts as work.
func TestClockOfALiveRun(t *testing.T) {
	t.Parallel()
	cfg, ck, p := recorded(t, "1-failed")
	rec := ck.Stage("stack.app")
	live := "live-run"
	ck.Runs = append(ck.Runs, checkpoint.Run{RunID: live, StartedAt: at("03:35"), LastSeen: at("03:36")})
	rec.Status = stages.Running
	rec.History = append(rec.History, checkpoint.Attempt{RunID: live, StartedAt: at("03:36")})
	r := Clock(ck, p, cfg.RTO, at("03:40"), live)
	if r.ElapsedSeconds != 40*60 || r.WorkingSeconds != 15*60 || r.FailedSeconds != 5*60 || r.IdleSeconds != 20*60 {
		t.Errorf("clock of a live run at 03:40: %+v, want 40m: 15m working, 5m failed, 20m idle", r)
	}
	// The same checkpoint read as a dead run: the attempt ends where the run was last seen, as lost time.
	r = Clock(ck, p, cfg.RTO, at("03:40"), "")
	if r.WorkingSeconds != 11*60 || r.FailedSeconds != 5*60 || r.IdleSeconds != 24*60 {
		t.Errorf("clock of a dead run at 03:40: %+v, want 11m working, 5m failed, 24m idle", r)
	}
}

// base (10m) then app (5m) determined the rebuild; the other stages took
// no time on the recorded clock and have all the slack there is.
func TestCriticalPathOnARecordedCheckpoint(t *testing.T) {
	t.Parallel()
	_, ck, p := recorded(t, "4-complete")
	cp := CriticalPath(ck, p)
	if cp == nil || cp.Seconds != 900 {
		t.Fatalf("critical path %+v, want 900s", cp)
	}
	shares := map[string]float64{}
	for _, s := range cp.Stages {
		shares[s.Stage] = s.Share
	}
	if shares["stack.base"] != 0.667 || shares["stack.app"] != 0.333 {
		t.Errorf("shares %v, want base 0.667, app 0.333", shares)
	}
	for _, s := range cp.Slack {
		if s.Stage == "stack.base" || s.Stage == "stack.app" {
			t.Errorf("%s is on the path and has slack %+v", s.Stage, s)
		}
	}
	if _, ck, p := recorded(t, "1-failed"); CriticalPath(&checkpoint.Checkpoint{}, p) != nil || CriticalPath(ck, p) == nil {
		t.Errorf("no path without a done stage, one as soon as one is done")
	}
}

// The status of each recorded moment, as `tfrebuild status --json` would
// print it, against testdata/rebuild/status-*.json (go test -update).
func TestStatusGolden(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ fixture, now string }{
		{"1-failed", "03:20"}, {"2-waiting", "03:45"}, {"3-confirmed", "03:52"}, {"4-complete", "04:30"},
	} {
		cfg, ck, p := recorded(t, c.fixture)
		got, err := json.MarshalIndent(Read(cfg, ck, p, nil, at(c.now)), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", "rebuild", "status-"+c.fixture+".json")
		if *update {
			if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if string(got)+"\n" != string(want) {
			t.Errorf("status of %s at %s differs from %s (go test ./timeline -run Golden -update to accept):\n%s", c.fixture, c.now, golden, got)
		}
	}
}

// What a resumed apply would start with, and how a step reads before and
// after its confirmation.
func TestStatusNextAndSteps(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		fixture string
		next    []string
		step    stages.Status
	}{
		{"1-failed", []string{"stack.app"}, stages.Blocked},
		{"2-waiting", []string{"step.handoff"}, stages.Waiting},
		{"3-confirmed", []string{"step.handoff"}, Confirmed},
		{"4-complete", []string{}, stages.Done},
	} {
		cfg, ck, p := recorded(t, c.fixture)
		st := Read(cfg, ck, p, nil, at("04:00"))
		if len(st.Next) != len(c.next) || (len(c.next) > 0 && st.Next[0] != c.next[0]) {
			t.Errorf("%s: next %q, want %q", c.fixture, st.Next, c.next)
		}
		for _, s := range st.Stages {
			if s.Name == "step.handoff" && s.Status != c.step {
				t.Errorf("%s: step.handoff is %s, want %s", c.fixture, s.Status, c.step)
			}
		}
	}
}

// A stage left running: interrupted when nobody holds the run lock,
// running while the run that drives it is alive.
func TestStatusOfARunningStage(t *testing.T) {
	t.Parallel()
	cfg, ck, p := recorded(t, "1-failed")
	ck.Stage("stack.app").Status = stages.Running
	for _, c := range []struct {
		live *checkpoint.Holder
		want stages.Status
	}{{nil, stages.Interrupted}, {&checkpoint.Holder{RunID: "r"}, stages.Running}} {
		st := Read(cfg, ck, p, c.live, at("03:20"))
		for _, s := range st.Stages {
			if s.Name == "stack.app" && s.Status != c.want {
				t.Errorf("running stage with live holder %v: %s, want %s", c.live, s.Status, c.want)
			}
		}
	}
}

// A checkpoint written before findings existed kept drift as notes.
func TestStatusReadsDriftFromOldNotes(t *testing.T) {
	t.Parallel()
	rec := &checkpoint.StageRecord{Status: stages.Done, Notes: []string{"create x", "drift s3://b: versioning (left as it is)"}}
	f := findings(rec)
	if len(f) != 1 || f[0].Kind != checkpoint.Drift || f[0].String() != "drift s3://b: versioning (left as it is)" {
		t.Errorf("findings from notes: %+v", f)
	}
	row := stageStatus(&stages.Stage{Name: "stack.a"}, &checkpoint.StageRecord{Status: stages.Running}, false)
	if row.Status != stages.Interrupted {
		t.Errorf("a running stage without a live run is %s", row.Status)
	}
}
