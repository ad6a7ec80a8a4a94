package history

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/internal/testenv"
	"github.com/tfrebuild/tfrebuild/stages"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

var t0 = time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)

// rec is a completed record started day days after t0 with the stage
// durations given as name, seconds pairs.
func rec(day int, times ...any) Record {
	r := Record{Kind: Drill, RunID: fmt.Sprintf("run-%d", day), StartedAt: t0.AddDate(0, 0, day)}
	total := 0.0
	for i := 0; i+1 < len(times); i += 2 {
		s := float64(times[i+1].(int))
		r.Stages = append(r.Stages, StageTime{Stage: times[i].(string), Status: stages.Done, Seconds: s, Attempts: 1})
		total += s
	}
	r.FinishedAt = r.StartedAt.Add(time.Duration(total) * time.Second)
	return r
}

// diamond: a -> (b, c) -> d.
var diamond = []Node{{Name: "a"}, {Name: "b", Deps: []string{"a"}}, {Name: "c", Deps: []string{"a"}}, {Name: "d", Deps: []string{"b", "c"}}}

func TestPredict(t *testing.T) {
	for _, tc := range []struct {
		name    string
		records []Record
		want    Prediction
	}{
		{"no history", nil, Prediction{Path: []string{}}},
		{"one run: its path", []Record{rec(0, "a", 10, "b", 30, "c", 20, "d", 5)},
			Prediction{Seconds: 45, Path: []string{"a", "b", "d"}, Runs: 1}},
		{"median of three moves the path to c", []Record{
			rec(0, "a", 10, "b", 30, "c", 20, "d", 5),
			rec(1, "a", 12, "b", 10, "c", 40, "d", 5),
			rec(2, "a", 8, "b", 12, "c", 50, "d", 7)},
			Prediction{Seconds: 10 + 40 + 5, Path: []string{"a", "c", "d"}, Runs: 3}},
		{"only the newest five count", []Record{
			rec(0, "a", 1000), rec(1, "a", 1000), rec(2, "a", 1000),
			rec(3, "a", 10), rec(4, "a", 10), rec(5, "a", 10), rec(6, "a", 10), rec(7, "a", 1000)},
			Prediction{Seconds: 10, Path: []string{"a"}, Runs: 5, Unmeasured: []string{"b", "c", "d"}}},
		{"an unfinished record does not count", []Record{rec(0, "a", 10, "b", 1, "c", 1, "d", 1), {Kind: Drill, StartedAt: t0.AddDate(0, 0, 1)}},
			Prediction{Seconds: 12, Path: []string{"a", "b", "d"}, Runs: 1}},
		{"drills, when there are any, not rebuilds that found the target in place", []Record{rec(0, "a", 100, "b", 1, "c", 1, "d", 1),
			func() Record { r := rec(1, "a", 1, "b", 1, "c", 1, "d", 1); r.Kind = Rebuild; return r }()},
			Prediction{Seconds: 102, Path: []string{"a", "b", "d"}, Runs: 1}},
		{"a failed stage is not a duration", []Record{rec(0, "a", 10, "b", 5, "c", 1, "d", 1),
			func() Record {
				r := rec(1, "a", 10, "b", 500, "c", 1, "d", 1)
				r.Stages[1].Status = stages.Failed
				return r
			}()},
			Prediction{Seconds: 16, Path: []string{"a", "b", "d"}, Runs: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Predict(diamond, tc.records)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Predict = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestRegressions(t *testing.T) {
	for _, tc := range []struct {
		name    string
		records []Record
		want    []Regression
	}{
		{"steady", []Record{rec(0, "a", 10), rec(1, "a", 11), rec(2, "a", 12)}, nil},
		{"third run slower than 25% over the median", []Record{rec(0, "a", 10, "b", 5), rec(1, "a", 12, "b", 5), rec(2, "a", 20, "b", 5)},
			[]Regression{{RunID: "run-2", Stage: "a", Seconds: 20, MedianSeconds: 11}}},
		{"25% exactly is not a regression", []Record{rec(0, "a", 8), rec(1, "a", 8), rec(2, "a", 10)}, nil},
		{"one earlier time is no median", []Record{rec(0, "a", 10), rec(1, "a", 100)}, nil},
		{"jitter of a short stage is not flagged", []Record{rec(0, "a", 1), rec(1, "a", 1), rec(2, "a", 2)}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Regressions(tc.records); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Regressions = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// FromCheckpoint reads the recorded rebuild of timeline's fixtures: base
// 10m, app failed once then 5m, check, step confirmed; 55 minutes.
func TestFromCheckpoint(t *testing.T) {
	dir := filepath.Join("..", "timeline", "testdata", "rebuild")
	cfg, diags := config.Load(filepath.Join(dir, "rebuild.hcl"))
	if diags.HasErrors() {
		t.Fatal(config.DiagnosticsError(diags))
	}
	b, err := os.ReadFile(filepath.Join(dir, "4-complete.json"))
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
	r := FromCheckpoint(Rebuild, &c, p, time.Hour, "terraform 1.11.4", c.StartedAt.Add(10*time.Hour))
	if !r.Passed || r.Verdict != "PASSED" {
		t.Errorf("verdict %v %q, want PASSED", r.Passed, r.Verdict)
	}
	if got := r.FinishedAt.Sub(r.StartedAt); got != 55*time.Minute {
		t.Errorf("took %s, want 55m (until the last stage, not until now)", got)
	}
	if r.Clock == nil || r.Clock.ElapsedSeconds != 55*60 || r.Clock.FailedSeconds == 0 || r.Clock.WaitingSeconds == 0 {
		t.Errorf("clock %+v: want 55m with failed and waiting time", r.Clock)
	}
	app := r.Stage("stack.app")
	if app == nil || app.Seconds != 300 || app.Attempts != 3 {
		t.Errorf("stack.app = %+v, want 300s in 3 attempts (failed, applied, up to date)", app)
	}
	if r.CriticalPath == nil || len(r.CriticalPath.Stages) == 0 {
		t.Errorf("no critical path")
	}
	over := FromCheckpoint(Rebuild, &c, p, 30*time.Minute, "", c.StartedAt.Add(10*time.Hour))
	if over.Passed {
		t.Errorf("55m against a 30m objective passed: %q", over.Verdict)
	}
}

// conformance: records come back as written, newest n oldest first,
// twice written counts once.
func conformance(t *testing.T, s Store) {
	ctx := context.Background()
	if got, err := s.List(ctx, 0); err != nil || len(got) != 0 {
		t.Fatalf("empty store: %v, %v", got, err)
	}
	for _, d := range []int{2, 0, 1} {
		if err := s.Append(ctx, rec(d, "a", 10+d)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Append(ctx, rec(1, "a", 11)); err != nil {
		t.Fatal(err)
	}
	all, err := s.List(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 || all[0].RunID != "run-0" || all[2].RunID != "run-2" || all[2].Stages[0].Seconds != 12 || all[0].Schema != Schema {
		t.Fatalf("List(0) = %+v", all)
	}
	two, err := s.List(ctx, 2)
	if err != nil || len(two) != 2 || two[0].RunID != "run-1" {
		t.Fatalf("List(2) = %+v, %v", two, err)
	}
}

func TestFileStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "history")
	conformance(t, &FileStore{Dir: dir})
	if err := os.WriteFile(filepath.Join(dir, "junk.json"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := (&FileStore{Dir: dir}).List(context.Background(), 0); err == nil {
		t.Fatal("a damaged record was not reported")
	}
}

var tableN atomic.Int32

func TestDynamoStore(t *testing.T) {
	m := testenv.SharedMoto(t)
	db := ddb.NewFromConfig(aws.Config{Region: "eu-west-2", BaseEndpoint: aws.String(m.URL),
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")})
	name := fmt.Sprintf("history-locks-%d", tableN.Add(1))
	_, err := db.CreateTable(context.Background(), &ddb.CreateTableInput{TableName: aws.String(name),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("LockID"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("LockID"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest})
	// The name is this process's own: "in use" is the SDK's retry of a
	// create whose first answer was lost on a loaded machine.
	var inUse *ddbtypes.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		t.Fatal(err)
	}
	// Another target's record in the same table is not ours.
	other := &DynamoStore{DB: db, Table: name, Key: "q/123456789012/eu-west-2"}
	if err := other.Append(context.Background(), rec(9, "a", 1)); err != nil {
		t.Fatal(err)
	}
	conformance(t, &DynamoStore{DB: db, Table: name, Key: "p/123456789012/eu-west-2"})
}

func TestBothIsTheUnion(t *testing.T) {
	a, b := &FileStore{Dir: t.TempDir()}, &FileStore{Dir: t.TempDir()}
	conformance(t, Both{a, b})
	ctx := context.Background()
	if err := b.Append(ctx, rec(5, "a", 1)); err != nil { // written elsewhere
		t.Fatal(err)
	}
	got, err := Both{a, b}.List(ctx, 0)
	if err != nil || len(got) != 4 || got[3].RunID != "run-5" {
		t.Fatalf("union = %+v, %v", got, err)
	}
}
