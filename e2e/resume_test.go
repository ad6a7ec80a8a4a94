package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/internal/testenv"
	"github.com/tfrebuild/tfrebuild/stages"
)

// slowStacks is fourStacks with blue failing when asked and every app
// resource taking a few seconds.
func slowStacks(project string, failBlue bool, delay int) string {
	body := strings.ReplaceAll(fourStacks, "%s", project)
	body = strings.ReplaceAll(body, "delay_seconds = 2", "delay_seconds = "+strconv.Itoa(delay))
	if failBlue {
		body = strings.Replace(body, `colour        = "blue"`, "colour        = \"blue\"\n    fail          = true", 1)
	}
	return body
}

func TestResumeAfterFailureRerunsOnlyWhatFailed(t *testing.T) {
	t.Parallel()
	forEachEngine(t, resumeAfterFailure)
}

func resumeAfterFailure(t *testing.T, e engine) {
	tg := e.target(t, "resumefail")
	tg.write(slowStacks(tg.project, true, 0))
	wantCode(t, tg.run("apply", "--yes", "--with", "green"), 1)
	base, green := tg.state("base").Serial, tg.state("green").Serial

	tg.write(slowStacks(tg.project, false, 0))
	res := tg.run("apply", "--yes", "--with", "green")
	wantCode(t, res, 0)
	for _, s := range []string{"stack.base", "stack.green"} {
		if !strings.Contains(res.Stderr, s) || !strings.Contains(lineOf(res.Stderr, s, "up to date"), "skipped") {
			t.Errorf("%s should be skipped as up to date:\n%s", s, res.Stderr)
		}
	}
	if tg.state("base").Serial != base || tg.state("green").Serial != green {
		t.Error("resume touched stacks that had finished")
	}
	if tg.state("blue") == nil || tg.state("join") == nil {
		t.Error("resume did not apply the failed stack and the one it blocked")
	}
	c := tg.checkpoint()
	if c.Stages["stack.blue"].Attempts != 2 || c.Stages["stack.join"].Status != stages.Done {
		t.Errorf("checkpoint after resume: blue %+v join %+v", c.Stages["stack.blue"], c.Stages["stack.join"])
	}
}

// A changed stack runs again; its dependents run again only when its
// outputs change.
func TestFingerprintsDecideWhatRunsAgain(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "fingerprint")
	stacks := copyStacks(t, tg.dir)
	// A manual step keeps the rebuild unfinished, so that each apply
	// resumes it (after a complete rebuild, the next apply is a new
	// rebuild and runs every stack).
	body := strings.ReplaceAll(slowStacks(tg.project, false, 0), "{{stacks}}", stacks) +
		"\nstep \"handoff\" {\n  instructions = \"Tell the partner team.\"\n}\n"
	tg.write(body)
	wantCode(t, tg.run("apply", "--yes"), 3)

	// A comment in join's code: join runs again, nothing else does.
	appendFile(t, filepath.Join(stacks, "join", "main.tf"), "\n# reviewed\n")
	res := tg.run("apply", "--yes")
	wantCode(t, res, 3)
	for stack, skipped := range map[string]bool{"stack.base": true, "stack.blue": true, "stack.join": false} {
		if got := strings.Contains(lineOf(res.Stderr, stack, "up to date"), "skipped"); got != skipped {
			t.Errorf("after editing join: %s skipped = %t, want %t\n%s", stack, got, skipped, res.Stderr)
		}
	}
	// A new input for base changes its outputs: everything downstream runs.
	tg.write(strings.Replace(body, `inputs = { name = "core" }`, `inputs = { name = "core2" }`, 1))
	res = tg.run("apply", "--yes")
	wantCode(t, res, 3)
	if strings.Contains(res.Stderr, "up to date") {
		t.Errorf("a changed upstream output must re-run its dependents:\n%s", res.Stderr)
	}
	if got := tg.state("join").Outputs["active"].Value; got != "https://blue.net-core2.internal" {
		t.Errorf("join.active = %v", got)
	}
}

// crashPoint is where a crash test kills the run: when the checkpoint
// says so, or (when nil) in the middle of blue's apply.
type crashPoint struct {
	name  string
	store string
	lock  string
	when  func(c *checkpoint.Checkpoint, since map[string]time.Time) bool
}

// kill -9 at each stage boundary and in the middle of a stack's apply,
// then resume: the rebuild completes, each state holds exactly its
// resources, and no lock is left behind. On OpenTofu, the crashes in the
// middle of an apply (where the engine's state lock is left) and one at a
// stage boundary.
func TestCrashAndResume(t *testing.T) {
	t.Parallel()
	points := []crashPoint{
		{"after preflight", "file", "table", done("preflight")},
		{"after state", "file", "table", done("state")},
		{"after registries", "file", "table", done("registries")},
		{"after base", "file", "table", done("stack.base")},
		{"mid apply with a lock table", "file", "table", nil},
		{"mid apply with a lock file", "file", "lockfile", nil},
		{"mid apply with the dynamodb store", "dynamodb", "table", nil},
	}
	for _, e := range engines {
		for i, p := range points {
			name := p.name
			if e.name == "opentofu" {
				if p.when != nil && p.name != "after base" {
					continue
				}
				name = "opentofu " + p.name
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				crashAndResume(t, e.target(t, "crash"+strconv.Itoa(i)), p)
			})
		}
	}
}

func crashAndResume(t *testing.T, tg *target, p crashPoint) {
	path := tg.write(slowStacks(tg.project, false, 3))
	src := readFile(t, path)
	if p.lock == "lockfile" {
		src = strings.Replace(src, `lock_table              = "`+tg.project+`-lock"`, "use_lockfile = true", 1)
	}
	if p.store == "dynamodb" {
		src += "\ncheckpoint {\n  store = \"dynamodb\"\n}\n"
	}
	writeFile(t, path, src)

	cmd, _ := tg.start("apply", "--yes", "--with", "green")
	if p.when != nil {
		waitFor(t, tg, p.store, p.when)
	} else {
		waitApplying(t, tg, "blue")
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	res := tg.run("apply", "--yes", "--with", "green")
	wantCode(t, res, 0)
	t.Logf("resume:\n%s", res.Stderr)
	want := map[string]string{"base": "base", "blue": "app", "green": "app", "join": "join"}
	for stack, resource := range want {
		st := tg.state(stack)
		if st == nil || len(st.Resources) != 1 || st.Resources[0].Name != resource {
			t.Errorf("state of %s after resume: %+v", stack, st)
		}
	}
	if p.lock == "table" {
		if n := lockItems(t, tg); n != 0 {
			t.Errorf("%d Terraform lock items left in the lock table", n)
		}
	}
	if strings.HasPrefix(p.name, "mid apply") && !strings.Contains(res.Stderr, "released the state lock left by this target's previous run") {
		t.Errorf("the stale lock should have been released with a log line:\n%s", res.Stderr)
	}
}

func TestTwoAppliesAtOnce(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "twoatonce")
	tg.write(slowStacks(tg.project, false, 2))
	var wg sync.WaitGroup
	results := make([]testenv.Result, 2)
	for i := range results {
		wg.Add(1)
		go func() { defer wg.Done(); results[i] = tg.run("apply", "--yes") }()
	}
	wg.Wait()
	ok, refused := 0, 0
	for _, r := range results {
		switch {
		case r.Code == 0:
			ok++
		case r.Code == 1 && strings.Contains(r.Stderr, "another tfrebuild is driving this target") && strings.Contains(r.Stderr, "since"):
			refused++
		default:
			t.Errorf("unexpected result %d:\n%s", r.Code, r.Stderr)
		}
	}
	if ok != 1 || refused != 1 {
		t.Errorf("want one run and one refusal, got %d and %d", ok, refused)
	}
}

// lockItems counts Terraform lock items (not digests) in the lock table.
func lockItems(t *testing.T, tg *target) int {
	t.Helper()
	db := dynamodb.NewFromConfig(tg.awsConfig())
	out, err := db.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(tg.project + "-lock")})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, item := range out.Items {
		if _, ok := item["Info"]; ok {
			n++
		}
	}
	return n
}

func done(stage string) func(*checkpoint.Checkpoint, map[string]time.Time) bool {
	return func(c *checkpoint.Checkpoint, _ map[string]time.Time) bool {
		r := c.Stages[stage]
		return r != nil && r.Status == stages.Done
	}
}

// waitFor polls the target's checkpoint until cond holds.
func waitFor(t *testing.T, tg *target, store string, cond func(*checkpoint.Checkpoint, map[string]time.Time) bool) {
	t.Helper()
	since := map[string]time.Time{}
	testenv.Until(t, 2*time.Minute, "the run to reach the point to crash it at", func() bool {
		c := tg.peek(store)
		return c != nil && cond(c, since)
	})
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	writeFile(t, path, readFile(t, path)+text)
}

// copyStacks copies testdata/stacks into dir, for tests that edit them.
func copyStacks(t *testing.T, dir string) string {
	t.Helper()
	dst := filepath.Join(dir, "stacks")
	err := filepath.Walk(filepath.Join("testdata", "stacks"), func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(filepath.Join("testdata", "stacks"), p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// lineOf returns the first line of text that mentions both stage and word.
func lineOf(text, stage, word string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, stage) && strings.Contains(l, word) {
			return l
		}
	}
	return ""
}

// A state lock held by someone else is never broken: the run stops, says
// who holds it, and prints the command that releases it, which works.
func TestForeignStateLockIsReportedNotBroken(t *testing.T) {
	t.Parallel()
	forEachEngine(t, foreignStateLock)
}

func foreignStateLock(t *testing.T, e engine) {
	tg := e.target(t, "foreignlock")
	tg.write(slowStacks(tg.project, false, 3))
	cmd, _ := tg.start("apply", "--yes")
	waitApplying(t, tg, "blue")
	_ = cmd.Process.Kill()
	_ = cmd.Wait()

	// Make the lock someone else's.
	ctx := context.Background()
	db := dynamodb.NewFromConfig(tg.awsConfig())
	key := map[string]ddbtypes.AttributeValue{"LockID": &ddbtypes.AttributeValueMemberS{Value: tg.bucket() + "/" + tg.project + "/blue/terraform.tfstate"}}
	item, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(tg.project + "-lock"), Key: key})
	if err != nil || item.Item["Info"] == nil {
		t.Fatalf("no lock item after the crash: %v", err)
	}
	info := item.Item["Info"].(*ddbtypes.AttributeValueMemberS).Value
	var who struct{ Who string }
	_ = json.Unmarshal([]byte(info), &who)
	// Only the holder changes, in the engine's own serialisation: OpenTofu
	// releases a lock only when the stored text is the one it would write.
	foreign := strings.Replace(info, `"Who":`+strconv.Quote(who.Who), `"Who":"alice@laptop"`, 1)
	if who.Who == "" || foreign == info {
		t.Fatalf("cannot make the lock someone else's: %s", info)
	}
	item.Item["Info"] = &ddbtypes.AttributeValueMemberS{Value: foreign}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(tg.project + "-lock"), Item: item.Item}); err != nil {
		t.Fatal(err)
	}

	res := tg.run("apply", "--yes")
	wantCode(t, res, 1)
	if !strings.Contains(res.Stderr, "held by alice@laptop") || lockItems(t, tg) != 1 {
		t.Fatalf("the foreign lock must be reported and left:\n%s", res.Stderr)
	}
	line := lineOf(res.Stderr, "force-unlock -force", "TF_DATA_DIR=")
	if !strings.Contains(line, tg.program()+" -chdir=") {
		t.Errorf("the release command is not %s's own: %q", tg.program(), line)
	}
	release := exec.Command("sh", "-c", strings.TrimSpace(line))
	release.Env = tg.env.Environ()
	if out, err := release.CombinedOutput(); err != nil {
		t.Fatalf("the printed command %q failed: %v\n%s", line, err, out)
	}
	wantCode(t, tg.run("apply", "--yes"), 0)
}
