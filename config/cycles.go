package config

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// cycles reports the dependency cycles of a graph, one diagnostic per cycle.
// A strongly connected component may hold several cycles (a↔b and a↔c), and
// its members in declaration order are not a path; so each diagnostic names
// a real cycle, found by walking edges, and cycles are added until every
// member of the component is in one.
func cycles(kind string, order []string, edges map[string][]string, ranges map[string]hcl.Range) hcl.Diagnostics {
	pos := map[string]int{}
	for i, n := range order {
		pos[n] = i
	}
	var diags hcl.Diagnostics
	for _, scc := range tarjan(order, edges) {
		self := len(scc) == 1 && contains(edges[scc[0]], scc[0])
		if len(scc) < 2 && !self {
			continue
		}
		in := map[string]bool{}
		for _, n := range scc {
			in[n] = true
		}
		covered := map[string]bool{}
		for _, start := range sortedBy(scc, pos) {
			if covered[start] {
				continue
			}
			cyc := shortestCycle(start, edges, in)
			for _, n := range cyc {
				covered[n] = true
			}
			diags = append(diags, cycleDiag(kind, cyc, ranges[start]))
		}
	}
	return diags
}

func cycleDiag(kind string, cyc []string, rng hcl.Range) *hcl.Diagnostic {
	path := make([]string, 0, len(cyc)+1)
	for _, n := range cyc {
		path = append(path, kind+"."+n)
	}
	path = append(path, path[0])
	if len(cyc) == 1 {
		return errorAt(rng, "Dependency cycle", fmt.Sprintf("%s depends on itself.", path[0]))
	}
	return errorAt(rng, "Dependency cycle",
		fmt.Sprintf("these %ss depend on each other: %s. Remove one of the references.", kind, strings.Join(path, " → ")))
}

// shortestCycle returns the shortest path start → ... → start over edges
// inside the component (breadth first, edges in declaration order), without
// repeating start at the end.
func shortestCycle(start string, edges map[string][]string, in map[string]bool) []string {
	prev := map[string]string{}
	queue := []string{start}
	seen := map[string]bool{}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, w := range edges[v] {
			if !in[w] {
				continue
			}
			if w == start {
				var path []string
				for n := v; n != start; n = prev[n] {
					path = append(path, n)
				}
				path = append(path, start)
				for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
					path[i], path[j] = path[j], path[i]
				}
				return path
			}
			if !seen[w] {
				seen[w] = true
				prev[w] = v
				queue = append(queue, w)
			}
		}
	}
	return []string{start} // unreachable for a component with a cycle
}

func sortedBy(list []string, pos map[string]int) []string {
	out := append([]string(nil), list...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && pos[out[j]] < pos[out[j-1]]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func tarjan(order []string, edges map[string][]string) [][]string {
	index := map[string]int{}
	low := map[string]int{}
	onStack := map[string]bool{}
	var stack []string
	var out [][]string
	next := 0
	var visit func(string)
	visit = func(v string) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range edges[v] {
			if _, seen := index[w]; !seen {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] == index[v] {
			var scc []string
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				scc = append(scc, w)
				if w == v {
					break
				}
			}
			out = append(out, scc)
		}
	}
	for _, v := range order {
		if _, seen := index[v]; !seen {
			visit(v)
		}
	}
	return out
}
