package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/tfrebuild/tfrebuild/"

// TestArchitectureDocNamesEveryPackage keeps docs/architecture.md's package
// table true: every package of the module has a row, and each row's imports
// column is exactly what the package imports of ours (test files aside).
func TestArchitectureDocNamesEveryPackage(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range architectureProblems(string(doc), modulePackages(t)) {
		t.Error("docs/architecture.md: " + p)
	}
}

// TestArchitectureCheckCatchesStaleDocs: the check above fails on a table
// that misses a package, names one that is gone, or has a wrong arrow.
func TestArchitectureCheckCatchesStaleDocs(t *testing.T) {
	t.Parallel()
	doc := "| package | what | imports |\n|---|---|---|\n" +
		"| `rebuild` | the engine | `config`, `stages` |\n" +
		"| `config` | the model | nothing of ours |\n" +
		"| `gone` | removed | nothing of ours |\n"
	pkgs := map[string][]string{"rebuild": {"config", "terraform"}, "config": nil, "terraform": nil}
	got := strings.Join(architectureProblems(doc, pkgs), "\n")
	for _, want := range []string{
		"package terraform has no row",
		"row names package gone, which does not exist",
		"rebuild imports terraform, not in its row",
		"rebuild's row says it imports stages; it does not",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems:\n%s\nwant one saying %q", got, want)
		}
	}
}

var backticked = regexp.MustCompile("`([^`]+)`")

// architectureProblems compares the doc's package table with pkgs (package
// → the packages of ours it imports, both relative to the module).
func architectureProblems(doc string, pkgs map[string][]string) []string {
	var problems []string
	rows := map[string][]string{}
	_, table, found := strings.Cut(doc, "| package | what | imports |\n")
	if !found {
		return []string{"no package table (a header | package | what | imports |)"}
	}
	for _, line := range strings.Split(table, "\n") {
		cells := strings.Split(line, "|")
		if !strings.HasPrefix(line, "|") {
			break // the end of the table
		}
		if len(cells) != 5 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		imports := []string{}
		for _, m := range backticked.FindAllStringSubmatch(cells[3], -1) {
			imports = append(imports, m[1])
		}
		for _, m := range backticked.FindAllStringSubmatch(cells[1], -1) {
			rows[m[1]] = imports
		}
	}
	for _, name := range slices.Sorted(maps.Keys(pkgs)) {
		documented, ok := rows[name]
		if !ok {
			problems = append(problems, "package "+name+" has no row in the package table; add one")
			continue
		}
		for _, imp := range pkgs[name] {
			if !slices.Contains(documented, imp) {
				problems = append(problems, name+" imports "+imp+", not in its row's imports column")
			}
		}
		for _, imp := range documented {
			if !slices.Contains(pkgs[name], imp) {
				problems = append(problems, name+"'s row says it imports "+imp+"; it does not")
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(rows)) {
		if _, ok := pkgs[name]; !ok {
			problems = append(problems, "row names package "+name+", which does not exist")
		}
	}
	return problems
}

// modulePackages lists the module's packages with `go list -json ./...`.
func modulePackages(t *testing.T) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs := map[string][]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		var ours []string
		for _, imp := range p.Imports {
			if rel, ok := strings.CutPrefix(imp, module); ok {
				ours = append(ours, rel)
			}
		}
		pkgs[strings.TrimPrefix(p.ImportPath, module)] = ours
	}
	if len(pkgs) == 0 {
		t.Fatal("go list found no packages")
	}
	return pkgs
}
