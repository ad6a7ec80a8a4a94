package main

import (
	"fmt"
	"os"
	"sort"
	"time"
)

// report prints the realistic mode's medians, ratios, the lower bound's
// pieces, tfrebuild's timeline (of the median repetition) and the calls
// the proxy delayed most.
func (rb *realBench) report(samples []realSample) {
	if len(samples) == 0 {
		return
	}
	var tool, bound, all, again, againD, rep, repD []time.Duration
	var rb1, ra, rAgain, rRep []float64
	repaired := 0
	for _, s := range samples {
		tool, bound, all = append(tool, s.tool), append(bound, s.bound), append(all, s.runAll)
		again, againD, rep, repD = append(again, s.again), append(againD, s.againDirect), append(rep, s.repair), append(repD, s.repairDir)
		rb1, ra = append(rb1, ratio(s.tool, s.bound)), append(ra, ratio(s.tool, s.runAll))
		rAgain, rRep = append(rAgain, ratio(s.again, s.againDirect)), append(rRep, ratio(s.repair, s.repairDir))
		if s.repaired {
			repaired++
		}
	}
	n := len(samples)
	fmt.Printf("\nrealistic environment (shared → blue ∥ green → link, a DynamoDB restore from a backup, an S3 restore), medians of %d runs:\n", n)
	fmt.Printf("  tfrebuild full rebuild with data (apply --yes --json, bootstrap included) %s\n", r(median(tool)))
	fmt.Printf("  lower bound (measured pieces along the true data dependencies)         %s\n", r(median(bound)))
	fmt.Printf("  run-all: SDK bootstrap + restore + import, stacks DAG-parallel, S3 copy  %s\n", r(median(all)))
	fmt.Printf("  ratio tfrebuild / lower bound  %.3f  (runs: %s; goal <= 1.10)\n", median(rb1), list(rb1))
	fmt.Printf("  ratio tfrebuild / run-all      %.3f  (runs: %s; goal < 1)\n", median(ra), list(ra))
	fmt.Printf("  issue 20, new rebuild after a complete one, against `terraform apply` on each stack directly (critical path, no init):\n")
	fmt.Printf("    nothing changed:           tfrebuild %s, direct %s, ratio %.3f  (runs: %s; goal <= 1.05)\n", r(median(again)), r(median(againD)), median(rAgain), list(rAgain))
	fmt.Printf("    one parameter deleted:     tfrebuild %s, direct %s, ratio %.3f  (runs: %s; goal <= 1.05); re-created by tfrebuild in %d of %d runs\n",
		r(median(rep)), r(median(repD)), median(rRep), list(rRep), repaired, n)
	var res, alone []time.Duration
	var rRes []float64
	for _, s := range samples {
		res, alone, rRes = append(res, s.resume), append(alone, s.alone), append(rRes, ratio(s.resume, s.alone))
	}
	fmt.Printf("  issue 25, resume after link failed (every stack before it done), against `terraform apply` of link alone, in its initialised folder:\n")
	fmt.Printf("    tfrebuild %s, link alone %s, ratio %.3f  (runs: %s; goal <= 1.05)\n", r(median(res)), r(median(alone)), median(rRes), list(rRes))
	rb.printPieces(samples)
	mid := medianSample(samples)
	fmt.Printf("  where tfrebuild waits: its stages in repetition %d (tfrebuild %s; offsets from the process start):\n", mid+1, r(samples[mid].tool))
	printTimeline(os.Stdout, samples[mid].spans, samples[mid].tool, 60)
	fmt.Printf("  the new rebuild in which nothing changed, same repetition (tfrebuild %s, started %s):\n", r(samples[mid].again), samples[mid].againStart.Format("15:04:05.000"))
	printTimeline(os.Stdout, samples[mid].againSpans, samples[mid].again, 60)
	fmt.Printf("  calls the proxy delayed most (all runs, both sides): ")
	for i, st := range rb.proxy.Stats() {
		if i == 8 {
			break
		}
		fmt.Printf("%s %d× %s; ", st.Key, st.Calls, r(st.Waited))
	}
	fmt.Printf("\n  calls moto did not answer (a 502 from the proxy): %d\n", rb.proxy.Errors())
}

func (rb *realBench) printPieces(samples []realSample) {
	med := func(f func(realSample) time.Duration) string {
		var v []time.Duration
		for _, s := range samples {
			v = append(v, f(s))
		}
		return r(median(v))
	}
	fmt.Printf("  the lower bound's pieces (medians; measured in the run-all, the tables' waits as the proxy reports them):\n")
	fmt.Printf("    bucket %s, lock table %s, registry %s, DynamoDB restore %s, import %s, S3 restore %s\n",
		med(func(s realSample) time.Duration { return s.pieces.bucket }), med(func(s realSample) time.Duration { return s.pieces.lock }),
		med(func(s realSample) time.Duration { return s.pieces.registry }), med(func(s realSample) time.Duration { return s.pieces.restore }),
		med(func(s realSample) time.Duration { return s.pieces.imp }), med(func(s realSample) time.Duration { return s.pieces.s3 }))
	fmt.Printf("   ")
	for _, st := range stackNames {
		fmt.Printf(" %s init %s apply %s;", st, med(func(s realSample) time.Duration { return s.pieces.init[st] }),
			med(func(s realSample) time.Duration { return s.pieces.apply[st] }))
	}
	fmt.Println()
	ends := samples[medianSample(samples)].boundEnds
	keys := make([]string, 0, len(ends))
	for k := range ends {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return ends[keys[i]] < ends[keys[j]] })
	fmt.Printf("    each piece's end in the bound (median repetition):")
	for _, k := range keys {
		fmt.Printf(" %s %.1fs", k, ends[k].Seconds())
	}
	fmt.Println()
}

// medianSample is the index of the repetition whose tfrebuild time is the
// median (the lower middle for an even count).
func medianSample(samples []realSample) int {
	idx := make([]int, len(samples))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return samples[idx[a]].tool < samples[idx[b]].tool })
	return idx[(len(idx)-1)/2]
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return a.Seconds() / b.Seconds()
}
