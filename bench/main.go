// Command bench measures tfrebuild against the Terraform work it drives,
// every figure from this one run (`make bench`, docs/performance.md).
//
// It starts moto_server on loopback and, for each fixture (shared → blue ∥
// green → link; "fast": one slow stack among fast ones, "slow": every
// stack slow), repeats -runs times, interleaved:
//
//  1. a full rebuild by tfrebuild of a new target, bootstrap included;
//  2. the same Terraform work run directly, as a script or Terragrunt
//     would (init + apply -auto-approve per stack) on a bootstrapped
//     target: its critical path (shared + the slower of blue and green +
//     link) and its sequential sum;
//  3. a resumed tfrebuild rebuild after the last stack failed, against
//     running that failed stack alone, directly, after the same failure.
//
// It prints medians and the ratios. Then, at -scale stacks (a deep chain
// and a wide fan), the validate time, tfrebuild's own peak memory, and the
// orchestration overhead per stack against the same chain run directly.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	"github.com/tfrebuild/tfrebuild/bench/latency"
	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

type options struct {
	bin   string
	delay int
	runs  int
	scale int
	only  string // one fixture by name; all when empty
	// resumes is how many resumes (and direct runs of the failed stack)
	// each repetition measures, in turn.
	resumes int
	// mode is toy (the fixtures and the scale test), realistic (the
	// latency proxy and real stacks, real.go) or all.
	mode    string
	latency latency.Config
}

func main() {
	var o options
	flag.StringVar(&o.bin, "tfrebuild", "bin/tfrebuild", "the tfrebuild binary")
	flag.IntVar(&o.delay, "delay", 3, "seconds a slow stack's resource takes")
	flag.IntVar(&o.runs, "runs", 3, "repetitions of each measurement (medians are reported)")
	flag.IntVar(&o.scale, "scale", 200, "stacks in the scale test (0 skips it)")
	flag.IntVar(&o.resumes, "resumes", 3, "resumes after a failure (and direct runs of the failed stack) per repetition, in turn")
	flag.StringVar(&o.only, "fixture", "", "measure only this fixture (fast or slow); both when empty")
	flag.StringVar(&o.mode, "mode", "toy", "toy: the fixtures and the scale test; realistic: real stacks behind the latency proxy; all: both")
	o.latency = latency.Defaults()
	flag.DurationVar(&o.latency.NewTable, "new-table", o.latency.NewTable, "realistic: how long a new DynamoDB table stays CREATING")
	flag.DurationVar(&o.latency.Restore, "restore", o.latency.Restore, "realistic: how long a restored DynamoDB table stays CREATING")
	flag.DurationVar(&o.latency.Min, "latency-min", o.latency.Min, "realistic: the shortest delay of a call")
	flag.DurationVar(&o.latency.Max, "latency-max", o.latency.Max, "realistic: the longest delay of a call")
	delays := flag.String("latency", "s3.CreateBucket=1s", "realistic: delays per operation, service.Operation=duration, comma-separated")
	flag.Parse()
	d, err := latency.ParseDelays(*delays)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	o.latency.Delays = d
	if err := dispatch(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// dispatch runs the modes -mode asks for.
func dispatch(ctx context.Context, o options) error {
	switch o.mode {
	case "toy":
		return run(ctx, o)
	case "realistic":
		return realistic(ctx, o)
	case "all":
		if err := run(ctx, o); err != nil {
			return err
		}
		return realistic(ctx, o)
	}
	return fmt.Errorf("-mode %q: want toy, realistic or all", o.mode)
}

// bench is one benchmark run's shared parts.
type bench struct {
	bin     string
	dir     string
	stacks  string
	environ []string
	direct  func(project string) *direct
	// resumeRuns is how many resume pairs each repetition measures.
	resumeRuns int
}

func run(ctx context.Context, o options) error {
	bin, err := filepath.Abs(o.bin)
	if err != nil {
		return err
	}
	stacks, err := filepath.Abs(filepath.Join("bench", "testdata", "stacks"))
	if err != nil {
		return err
	}
	tf, err := exec.LookPath("terraform")
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "tfrebuild-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	moto, err := testenv.StartMoto(ctx, filepath.Join(dir, "moto.log"))
	if err != nil {
		return err
	}
	defer moto.Stop()
	env, err := testenv.NewEnv(moto, dir)
	if err != nil {
		return err
	}
	b := &bench{bin: bin, dir: dir, stacks: stacks, environ: env.Environ(), resumeRuns: max(o.resumes, 1)}
	b.direct = func(project string) *direct {
		return &direct{tf: tf, stacks: stacks, project: project, work: filepath.Join(dir, project, "work"), endpoint: moto.URL, environ: b.environ}
	}
	// moto loads each service's code on its first request, which costs
	// about a second: whichever side ran first would pay it. A throwaway
	// bootstrap (STS, S3, DynamoDB, ECR) pays it before anything is timed.
	if err := b.bootstrap("warm-up"); err != nil {
		return fmt.Errorf("warm up moto: %w", err)
	}
	fmt.Printf("machine: %d CPUs, %s/%s, %s; -runs %d, -resumes %d, slow stacks take %ds\n\n", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, tfVersion(tf), o.runs, b.resumeRuns, o.delay)
	for _, f := range fixtures(o.delay) {
		if o.only != "" && f.name != o.only {
			continue
		}
		if err := b.fixture(ctx, f, o.runs); err != nil {
			return fmt.Errorf("fixture %s: %w", f.name, err)
		}
	}
	if o.scale > 0 {
		return b.scale(ctx, o.scale)
	}
	return nil
}

// tfrebuild runs one tfrebuild command in dir and returns its wall time
// and its own peak memory in MiB.
func (b *bench) tfrebuild(dir string, args ...string) (time.Duration, float64, error) {
	wall, rss, _, err := b.tfrebuildOut(dir, args...)
	return wall, rss, err
}

// tfrebuildOut is tfrebuild that also returns what the command printed.
func (b *bench) tfrebuildOut(dir string, args ...string) (time.Duration, float64, string, error) {
	cmd := exec.Command(b.bin, args...)
	cmd.Dir, cmd.Env = dir, b.environ
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, "", err
	}
	done := make(chan struct{})
	rss := make(chan float64, 1)
	go func() { rss <- peakRSS(cmd, done) }()
	err := cmd.Wait()
	wall := time.Since(start)
	close(done)
	if err != nil {
		return wall, <-rss, out.String(), fmt.Errorf("tfrebuild %v: %w\n%s", args, err, out.String())
	}
	return wall, <-rss, out.String(), nil
}

func (b *bench) apply(dir string, extra ...string) (time.Duration, float64, error) {
	return b.tfrebuild(dir, append([]string{"apply", "--yes", "--no-download"}, extra...)...)
}

// applyStages is apply with --json: it also returns how long each stage
// took, as tfrebuild reported it.
func (b *bench) applyStages(dir string) (time.Duration, float64, map[string]time.Duration, error) {
	wall, rss, out, err := b.tfrebuildOut(dir, "apply", "--yes", "--no-download", "--json")
	return wall, rss, stageTimes(out), err
}

// bootstrap creates the state bucket and lock table of a direct target.
func (b *bench) bootstrap(project string) error {
	dir := filepath.Join(b.dir, project)
	if err := writeConfig(dir, header(project)); err != nil {
		return err
	}
	_, _, err := b.apply(dir)
	return err
}

func tfVersion(tf string) string {
	out, err := exec.Command(tf, "version").Output()
	if err != nil {
		return "terraform ?"
	}
	line, _, _ := cutLine(string(out))
	return line
}

func cutLine(s string) (string, string, bool) {
	for i, c := range s {
		if c == '\n' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

var errUnexpectedSuccess = errors.New("the failing stack did not fail")
