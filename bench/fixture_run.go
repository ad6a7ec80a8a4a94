package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// sample is one repetition of a fixture.
type sample struct {
	tool, critical, seq time.Duration // full rebuild
	resume, alone       time.Duration // after the last stack failed: medians of the sample's pairs
	again, againDirect  time.Duration // a new rebuild with nothing changed; every stack applied again directly (critical path)
	pairRatios          []float64     // each pair's ratio, in turn
	rss                 float64
	perStack            map[string]time.Duration
	stages              map[string]time.Duration // the full rebuild's, as tfrebuild reports them
	resumeStages        map[string]time.Duration // the resume's
	// resumeLead and resumeTail are each resume's time from the process
	// start to its first stage, and from its last stage to the exit.
	resumeLead, resumeTail []time.Duration
}

// edges are a run's time before its first stage started and after its
// last stage ended, of its wall time.
func edges(spans []span, wall time.Duration) (lead, tail time.Duration) {
	if len(spans) == 0 {
		return 0, 0
	}
	lead, end := spans[0].start, time.Duration(0)
	for _, sp := range spans {
		lead, end = min(lead, sp.start), max(end, sp.end)
	}
	return lead, wall - end
}

func (b *bench) fixture(ctx context.Context, f fixture, runs int) error {
	var samples []sample
	for i := range runs {
		s, err := b.sample(ctx, f, i)
		// On a loaded machine moto can answer an SDK retry of the
		// lock's conditional write as if someone held the lock: the
		// repetition is run again on new targets, and says so.
		for retry := 1; err != nil && strings.Contains(err.Error(), "state lock") && retry <= 2; retry++ {
			fmt.Printf("  (repetition %d of %q hit a state lock glitch; running it again)\n", i+1, f.name)
			s, err = b.sample(ctx, f, i+100*retry)
		}
		if err != nil {
			return err
		}
		samples = append(samples, s)
	}
	var tool, crit, seq, resume, alone, again, againDirect []time.Duration
	var ra []float64
	var rc, rs, rr, rss, firsts []float64
	for _, s := range samples {
		tool, crit, seq = append(tool, s.tool), append(crit, s.critical), append(seq, s.seq)
		resume, alone = append(resume, s.resume), append(alone, s.alone)
		rc, rs = append(rc, s.tool.Seconds()/s.critical.Seconds()), append(rs, s.tool.Seconds()/s.seq.Seconds())
		rr, rss = append(rr, s.pairRatios...), append(rss, s.rss)
		firsts = append(firsts, s.pairRatios[0])
		again, againDirect = append(again, s.again), append(againDirect, s.againDirect)
		ra = append(ra, s.again.Seconds()/s.againDirect.Seconds())
	}
	fmt.Printf("fixture %q (stack delays %v), medians of %d runs:\n", f.name, f.delays, runs)
	fmt.Printf("  tfrebuild full rebuild (bootstrap included)  %s\n", r(median(tool)))
	fmt.Printf("  terraform direct, critical path              %s\n", r(median(crit)))
	fmt.Printf("  terraform direct, sequential script          %s\n", r(median(seq)))
	fmt.Printf("  tfrebuild resume after the last stack failed %s\n", median(resume).Round(time.Millisecond))
	fmt.Printf("  terraform direct, that stack alone           %s\n", median(alone).Round(time.Millisecond))
	fmt.Printf("  ratio full rebuild / critical path     %.3f  (runs: %s)\n", median(rc), list(rc))
	fmt.Printf("  ratio full rebuild / sequential script %.3f\n", median(rs))
	fmt.Printf("  ratio resume / failed stack alone      %.3f  (median of %d pairs: %s)\n", median(rr), len(rr), list(rr))
	fmt.Printf("    the first pair of each run only       %.3f  (a new stack failed on create; later pairs replace it)\n", median(firsts))
	fmt.Printf("  tfrebuild new rebuild, nothing changed     %s\n", r(median(again)))
	fmt.Printf("  terraform direct, every stack again (crit.) %s\n", r(median(againDirect)))
	fmt.Printf("  ratio new rebuild / direct again       %.3f  (runs: %s; goal <= 1.05)\n", median(ra), list(ra))
	fmt.Printf("  tfrebuild peak RSS                     %.1f MiB\n", median(rss))
	fmt.Printf("  where the full rebuild's time goes (medians; stages as tfrebuild reports them, stacks directly as init + apply):\n")
	for _, st := range append([]string{"preflight", "state", "registries"}, stackNames...) {
		var tool, direct []time.Duration
		name := st
		if slices.Contains(stackNames, st) {
			name = "stack." + st
		}
		for _, s := range samples {
			tool, direct = append(tool, s.stages[name]), append(direct, s.perStack[st])
		}
		if slices.Contains(stackNames, st) {
			fmt.Printf("    %-14s tfrebuild %-8s direct %s\n", name, r(median(tool)), r(median(direct)))
		} else {
			fmt.Printf("    %-14s tfrebuild %s\n", name, r(median(tool)))
		}
	}
	fmt.Printf("  where the resume's time goes (medians; stages as tfrebuild reports them, the rest is starting, the run lock and the checkpoint):\n   ")
	for _, st := range append([]string{"preflight", "state", "registries"}, stackNames...) {
		name := st
		if slices.Contains(stackNames, st) {
			name = "stack." + st
		}
		var took []time.Duration
		for _, s := range samples {
			took = append(took, s.resumeStages[name])
		}
		fmt.Printf(" %s %s", name, median(took).Round(time.Millisecond))
	}
	var lead, tail []time.Duration
	for _, s := range samples {
		lead, tail = append(lead, s.resumeLead...), append(tail, s.resumeTail...)
	}
	fmt.Printf("; before the first stage %s, after the last %s\n", median(lead).Round(time.Millisecond), median(tail).Round(time.Millisecond))
	fmt.Println()
	return nil
}

// sample measures one repetition: each side on a target of its own.
func (b *bench) sample(ctx context.Context, f fixture, i int) (sample, error) {
	var s sample
	project := func(kind string) string { return fmt.Sprintf("%s-%s-%d", f.name, kind, i) }

	// A full rebuild by tfrebuild.
	dir := filepath.Join(b.dir, project("tool"))
	if err := writeConfig(dir, f.config(project("tool"), b.stacks, "")); err != nil {
		return s, err
	}
	var err error
	if s.tool, s.rss, s.stages, err = b.applyStages(dir); err != nil {
		return s, err
	}

	// The same Terraform work, directly.
	if err := b.bootstrap(project("direct")); err != nil {
		return s, err
	}
	if s.perStack, err = b.direct(project("direct")).rebuild(ctx, f); err != nil {
		return s, err
	}
	s.critical, s.seq = criticalPath(s.perStack), sequential(s.perStack)

	// A new rebuild in which nothing changed (every stack checked against
	// the cloud through Terraform), against applying every stack again
	// directly.
	if s.again, _, err = b.apply(dir); err != nil {
		return s, err
	}
	again, err := b.direct(project("direct")).rebuild(ctx, f)
	if err != nil {
		return s, err
	}
	s.againDirect = criticalPath(again)

	err = b.resumes(ctx, f, project, &s)
	return s, err
}

// resumes measures b.resumes pairs, in turn: the last stack fails and the
// rebuild resumes; directly, the same stack fails and runs again alone.
// Each pair is measured under the same load.
func (b *bench) resumes(ctx context.Context, f fixture, project func(string) string, s *sample) error {
	dir := filepath.Join(b.dir, project("resume"))
	d, outs, err := b.directUpstream(ctx, f, project("dresume"))
	if err != nil {
		return err
	}
	var tool, alone []time.Duration
	var ratios []float64
	for range b.resumeRuns {
		if err := writeConfig(dir, f.config(project("resume"), b.stacks, "link")); err != nil {
			return err
		}
		if _, _, err := b.apply(dir); err == nil {
			return errUnexpectedSuccess
		}
		if err := writeConfig(dir, f.config(project("resume"), b.stacks, "")); err != nil {
			return err
		}
		started := time.Now()
		took, _, out, err := b.tfrebuildOut(dir, "apply", "--yes", "--no-download", "--json")
		if err != nil {
			return err
		}
		stages := stageTimes(out)
		lead, tail := edges(timeline(out, started), took)
		s.resumeLead, s.resumeTail = append(s.resumeLead, lead), append(s.resumeTail, tail)
		if _, _, err := d.stack(ctx, f, "link", outs, true); err == nil {
			return errUnexpectedSuccess
		}
		direct, _, err := d.stack(ctx, f, "link", outs, false)
		if err != nil {
			return err
		}
		tool, alone, ratios = append(tool, took), append(alone, direct), append(ratios, took.Seconds()/direct.Seconds())
		s.resumeStages = stages
	}
	s.resume, s.alone, s.pairRatios = median(tool), median(alone), ratios
	return nil
}

// directUpstream bootstraps a direct target and applies every stack but
// the last, whose inputs it returns.
func (b *bench) directUpstream(ctx context.Context, f fixture, project string) (*direct, map[string]map[string]any, error) {
	if err := b.bootstrap(project); err != nil {
		return nil, nil, err
	}
	d := b.direct(project)
	outs := map[string]map[string]any{}
	for _, s := range stackNames[:3] {
		_, o, err := d.stack(ctx, f, s, outs, false)
		if err != nil {
			return nil, nil, err
		}
		outs[s] = o
	}
	return d, outs, nil
}

func list(fs []float64) string {
	var b bytes.Buffer
	for i, f := range fs {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%.3f", f)
	}
	return b.String()
}

// lockedBuffer collects a command's output from two pipes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
