package main

import (
	"testing"
	"time"
)

func TestLowerBoundFollowsTheDataDependencies(t *testing.T) {
	t.Parallel()
	s := time.Second
	p := pieces{bucket: 2 * s, lock: 9 * s, registry: s, restore: 40 * s, imp: 3 * s, s3: s,
		init:  map[string]time.Duration{"shared": 5 * s, "blue": 4 * s, "green": 4 * s, "link": 4 * s},
		apply: map[string]time.Duration{"shared": 6 * s, "blue": 2 * s, "green": 3 * s, "link": 2 * s}}
	total, end := lowerBound(p)
	// restore (40) → import (43) → shared (49) → green (52) → link (54).
	if total != 54*s || end["import"] != 43*s || end["apply.link"] != 54*s || end["s3"] != 50*s {
		t.Fatalf("bound %s, ends %v", total, end)
	}
	// With a fast restore the lock table is on the path: the import
	// waits for it, not for the restore.
	p.restore = s
	total, end = lowerBound(p)
	if end["import"] != 12*s || total != 23*s {
		t.Fatalf("fast restore: bound %s, ends %v", total, end)
	}
	// A slow init of a stack downstream delays only that stack.
	p.init["link"] = 30 * s
	if total, _ = lowerBound(p); total != 34*s {
		t.Fatalf("slow link init: bound %s, want 34s (bucket 2 + init 30 + apply 2)", total)
	}
}
