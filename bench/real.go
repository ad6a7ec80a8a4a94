package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/tfrebuild/tfrebuild/bench/latency"
	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

// realBench is the realistic mode's shared parts: moto behind the latency
// proxy, the real aws provider from the mirror, runbook-aws's stacks.
type realBench struct {
	bin, tf, dir, stacks string
	moto                 *testenv.Moto
	proxy                *latency.Proxy
	environ              []string
	seedAWS, proxyAWS    clients
	items, objects       int
}

// realSample is one repetition of the realistic mode.
type realSample struct {
	tool, runAll, bound time.Duration
	spans               []span
	pieces              pieces
	boundEnds           map[string]time.Duration
	again, againDirect  time.Duration // new rebuild, nothing changed
	againSpans          []span        // that new rebuild's stages
	againStart          time.Time     // when it started (to place the proxy's calls)
	repair, repairDir   time.Duration // new rebuild after one parameter was deleted
	repaired            bool          // the deleted parameter exists again after tfrebuild's run
	resume, alone       time.Duration // a resume after link failed; link applied again directly
}

// errNoMirror says the realistic mode cannot run here.
var errNoMirror = errors.New("no provider mirror")

// realistic runs the realistic mode: -runs repetitions, then the report.
func realistic(ctx context.Context, o options) error {
	mirror, err := testenv.FindMirror()
	if err != nil {
		msg := fmt.Sprintf("realistic mode needs the real aws provider: %v (run `make providers`, or eval \"$(bash .ci/tools providers)\")", err)
		if os.Getenv("CI") == "true" {
			return fmt.Errorf("%w: %s", errNoMirror, msg)
		}
		fmt.Println("realistic mode SKIPPED:", msg)
		return nil
	}
	rb, stop, err := startReal(ctx, o, mirror)
	if err != nil {
		return err
	}
	defer stop()
	fmt.Printf("realistic mode: moto behind the latency proxy (%s); new table ACTIVE after %s, restore after %s, s3.CreateBucket %s, other calls %s-%s; real aws provider 1.60.0; -runs %d\n\n",
		rb.proxy.URL, o.latency.NewTable, o.latency.Restore, o.latency.Delay(latency.Op{Service: "s3", Name: "CreateBucket"}), o.latency.Min, o.latency.Max, o.runs)
	var samples []realSample
	for i := range o.runs {
		s, err := rb.sample(ctx, i)
		if err != nil {
			return fmt.Errorf("realistic repetition %d: %w", i+1, err)
		}
		fmt.Printf("  repetition %d: tfrebuild %s, lower bound %s, run-all %s; new rebuild %s / direct %s; after a deletion %s / direct %s; resume %s / link alone %s\n",
			i+1, r(s.tool), r(s.bound), r(s.runAll), r(s.again), r(s.againDirect), r(s.repair), r(s.repairDir), r(s.resume), r(s.alone))
		samples = append(samples, s)
	}
	rb.report(samples)
	return nil
}

func startReal(ctx context.Context, o options, mirror testenv.Mirror) (*realBench, func(), error) {
	bin, err := filepath.Abs(o.bin)
	if err != nil {
		return nil, nil, err
	}
	tf, err := exec.LookPath("terraform")
	if err != nil {
		return nil, nil, err
	}
	dir, err := os.MkdirTemp("", "tfrebuild-bench-real-")
	if err != nil {
		return nil, nil, err
	}
	stacks := filepath.Join(dir, "stacks")
	if err := copyStacks(filepath.Join("examples", "runbook-aws", "stacks"), stacks); err != nil {
		os.RemoveAll(dir)
		return nil, nil, fmt.Errorf("copy examples/runbook-aws/stacks (run from the repository root): %w", err)
	}
	if err := addFailFile(stacks); err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	moto, err := testenv.StartMoto(ctx, filepath.Join(dir, "moto.log"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	if os.Getenv("BENCH_PROXY_LOG") != "" {
		f, err := os.Create(os.Getenv("BENCH_PROXY_LOG"))
		if err != nil {
			return nil, nil, err
		}
		o.latency.Log = f
	}
	proxy, err := latency.Start(moto.URL, o.latency)
	if err != nil {
		moto.Stop()
		os.RemoveAll(dir)
		return nil, nil, err
	}
	stop := func() { proxy.Close(); moto.Stop(); os.RemoveAll(dir) }
	env, err := testenv.NewEnv(moto, dir)
	if err == nil {
		err = env.UseMirror(mirror)
	}
	if err != nil {
		stop()
		return nil, nil, err
	}
	// Every client goes through the proxy: tfrebuild's SDK and its
	// Terraform backends read AWS_ENDPOINT_URL; the stacks get it as
	// their aws_endpoint input.
	env.Vars["AWS_ENDPOINT_URL"] = proxy.URL
	rb := &realBench{bin: bin, tf: tf, dir: dir, stacks: stacks, moto: moto, proxy: proxy, environ: env.Environ(),
		seedAWS: newClients(moto.URL), proxyAWS: newClients(proxy.URL), items: 20, objects: 5}
	return rb, stop, nil
}

// sample measures one repetition: tfrebuild and the run-all each on a
// side of their own, then the two new rebuilds of issue 20 on both.
func (rb *realBench) sample(ctx context.Context, i int) (realSample, error) {
	var s realSample
	tool, direct := fmt.Sprintf("rt-tool-%d", i), fmt.Sprintf("rt-runall-%d", i)
	for _, p := range []string{tool, direct} {
		if err := seed(ctx, rb.seedAWS, p, rb.items, rb.objects); err != nil {
			return s, err
		}
	}
	dir := filepath.Join(rb.dir, tool)
	if err := writeConfig(dir, realConfig(tool, rb.stacks, rb.proxy.URL)); err != nil {
		return s, err
	}
	ra := &runAll{tf: rb.tf, stacks: rb.stacks, project: direct, work: filepath.Join(rb.dir, direct), endpoint: rb.proxy.URL,
		environ: rb.environ, aws: rb.proxyAWS, proxy: rb.proxy}
	// Alternate which side goes first, so that neither always meets
	// the other's leftovers (moto's memory, the page cache).
	sides := []func() error{
		func() (err error) { s.tool, s.spans, err = rb.apply(dir); return err },
		func() (err error) { s.runAll, err = ra.rebuild(ctx); return err },
	}
	if i%2 == 1 {
		sides[0], sides[1] = sides[1], sides[0]
	}
	for _, side := range sides {
		if err := side(); err != nil {
			return s, err
		}
	}
	s.pieces = ra.pieces
	s.bound, s.boundEnds = lowerBound(ra.pieces)

	// Issue 20: a new rebuild in which nothing changed, against applying
	// every stack again directly.
	var err error
	s.againStart = time.Now()
	if s.again, s.againSpans, err = rb.apply(dir); err != nil {
		return s, err
	}
	if s.againDirect, err = ra.applyAgain(ctx); err != nil {
		return s, err
	}
	// One resource deleted out of band on both sides.
	for _, p := range []string{tool, direct} {
		if err := rb.deleteParam(ctx, p); err != nil {
			return s, err
		}
	}
	if s.repair, _, err = rb.apply(dir); err != nil {
		return s, err
	}
	s.repaired = rb.paramExists(ctx, tool)
	if s.repairDir, err = ra.applyAgain(ctx); err != nil {
		return s, err
	}
	s.resume, s.alone, err = rb.resume(ctx, dir, tool, ra)
	return s, err
}

// apply runs `tfrebuild apply --yes --json` and returns its wall time and
// its stages' spans.
func (rb *realBench) apply(dir string) (time.Duration, []span, error) {
	b := &bench{bin: rb.bin, environ: rb.environ}
	start := time.Now()
	wall, _, out, err := b.tfrebuildOut(dir, "apply", "--yes", "--no-download", "--json")
	return wall, timeline(out, start), err
}

func blueParam(project string) string { return "/" + project + "/blue/config" }

func (rb *realBench) deleteParam(ctx context.Context, project string) error {
	_, err := rb.seedAWS.ssm.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String(blueParam(project))})
	if err != nil {
		return fmt.Errorf("delete %s out of band: %w", blueParam(project), err)
	}
	return nil
}

func (rb *realBench) paramExists(ctx context.Context, project string) bool {
	_, err := rb.seedAWS.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(blueParam(project))})
	return err == nil
}
