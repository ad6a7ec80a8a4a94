package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tfrebuild/tfrebuild/report"
)

// reportStacks is a base, an app that fails when asked, and a manual
// step after it.
func reportStacks(fail bool) string {
	f := "false"
	if fail {
		f = "true"
	}
	return `
stack "base" {
  source = "{{stacks}}/base"
  inputs = { name = "core" }
}
stack "blue" {
  source = "{{stacks}}/app"
  inputs = {
    colour        = "blue"
    network       = stack.base.outputs.network
    token         = stack.base.outputs.token
    delay_seconds = 0
    fail          = ` + f + `
  }
}
step "handoff" {
  instructions = "Tell the partner team."
  after        = [stack.blue]
}
`
}

// external is any reference out of the page: a URL, a script, a
// stylesheet or an import.
var external = regexp.MustCompile(`(?i)https?://|<script|<link|@import|url\(|src=`)

// After a failure, a resume and a manual step, the report has every
// stage, each attempt, the RTO breakdown and the timeline; Chromium
// renders it without a console error and the critical path is drawn.
func TestReportAfterAFailureAResumeAndAStep(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "report")
	tg.write(reportStacks(true))
	wantCode(t, tg.run("apply", "--yes"), 1)
	tg.write(reportStacks(false))
	wantCode(t, tg.run("apply", "--yes"), 3)
	wantCode(t, tg.run("confirm", "handoff", "--by", "alice"), 0)
	wantCode(t, tg.run("apply", "--yes"), 0)

	html, md, js := filepath.Join(tg.dir, "r.html"), filepath.Join(tg.dir, "r.md"), filepath.Join(tg.dir, "r.json")
	wantCode(t, tg.run("report", "--html", html, "--markdown", md, "--json", js), 0)
	page := readText(t, html)
	for _, want := range []string{"preflight", "state", "registries", "stack.base", "stack.blue", "step.handoff",
		"simulated provisioning failure", "Working", "Waiting for a person", "Lost to failed attempts", "Idle between runs",
		"<svg role=\"img\"", "<title id=\"gantt-title\">", report.CriticalColour, "Confirmed by alice", "<th scope=\"col\">", "Verdict: PASSED"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if n := strings.Count(page, "<title>stack.blue: "); n < 2 {
		t.Errorf("%d bars for stack.blue, want one per attempt (failed, applied, ...)", n)
	}
	sum := sha256.Sum256([]byte("core-token"))
	secret := hex.EncodeToString(sum[:])
	for _, f := range []string{html, md, js} {
		text := readText(t, f)
		if strings.Contains(text, secret) {
			t.Errorf("%s holds the sensitive output", f)
		}
		if m := external.FindString(text); m != "" && f == html {
			t.Errorf("%s refers outside itself: %q", f, m)
		}
	}
	var r report.Report
	if err := json.Unmarshal([]byte(readText(t, js)), &r); err != nil {
		t.Fatal(err)
	}
	if r.RTO == nil || r.RTO.FailedSeconds <= 0 || r.RTO.WaitingSeconds <= 0 || r.RTO.Runs != 3 || !r.Complete {
		t.Errorf("report figures: %+v", r.RTO)
	}
	for _, s := range r.Stages {
		if s.Name == "stack.blue" && (len(s.Attempts) < 2 || s.Attempts[0].Outcome != "failed") {
			t.Errorf("stack.blue attempts: %+v", s.Attempts)
		}
	}
	renderInChromium(t, html)
}

// renderInChromium screenshots the page with headless Chromium, fails on
// a console error, and looks for the critical path's colour in the image.
func renderInChromium(t *testing.T, page string) {
	t.Helper()
	bin := "/usr/bin/chromium"
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing: .ci/run installs Debian's chromium", bin)
		}
		t.Skipf("%s is missing (apt-get install -y chromium)", bin)
	}
	shot := filepath.Join(t.TempDir(), "page.png")
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir="+t.TempDir(),
		"--enable-logging=stderr", "--v=0", "--window-size=1000,1400", "--screenshot="+shot, "file://"+page)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "CONSOLE") || strings.Contains(l, "Uncaught") || strings.Contains(l, "Failed to load resource") {
			t.Errorf("console: %s", l)
		}
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	n, b := 0, img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if near(r, 0x7b) && near(g, 0x1f) && near(bl, 0xa2) {
				n++
			}
		}
	}
	if n < 50 {
		t.Errorf("the screenshot has %d pixels of the critical path's colour: the chart is not drawn", n)
	}
	if dst := os.Getenv("TFREBUILD_REPORT_SCREENSHOT"); dst != "" {
		data, _ := os.ReadFile(shot)
		_ = os.WriteFile(dst, data, 0o644)
	}
}

func near(v uint32, want int) bool {
	d := int(v>>8) - want
	return d >= -6 && d <= 6
}

func readText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Three drills build a history; the third, slowed on purpose in one
// stack, is flagged; plan predicts the RTO from the three.
func TestDrillHistoryFlagsASlowStage(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "history")
	slow := filepath.Join(tg.dir, "slow")
	tg.write(`
stack "base" {
  source = "{{stacks}}/base"
  inputs = { name = "core" }
}
stack "slow" {
  source = "{{stacks}}/slowable"
  inputs = {
    slow_file = "` + slow + `"
    seconds   = 12
  }
}
`)
	for i := 0; i < 3; i++ {
		if i == 2 {
			writeFile(t, slow, "slow down")
		}
		args := []string{"drill", "--all", "--yes"}
		if i == 2 {
			args = append(args, "--report", filepath.Join(tg.dir, "drill.html"))
		}
		wantCode(t, tg.run(args...), 0)
	}
	if page := readText(t, filepath.Join(tg.dir, "drill.html")); !strings.Contains(page, "<svg") || !strings.Contains(page, "stack.slow") || !strings.Contains(page, "A drill of") {
		t.Errorf("drill --report wrote:\n%s", page)
	}
	html, md := filepath.Join(tg.dir, "h.html"), filepath.Join(tg.dir, "h.md")
	wantCode(t, tg.run("report", "--history", "--html", html, "--markdown", md), 0)
	if n := strings.Count(readText(t, html), `<circle class="point"`); n != 3 {
		t.Errorf("the history chart has %d points, want 3", n)
	}
	if text := readText(t, md); !strings.Contains(text, "REGRESSION stack.slow") {
		t.Errorf("the slowed stage is not flagged:\n%s", text)
	}
	res := tg.run("plan")
	if !strings.Contains(res.Stdout+res.Stderr, "Predicted RTO: ") || !strings.Contains(res.Stdout+res.Stderr, "from 3 runs") {
		t.Errorf("plan does not predict the RTO from the three drills:\n%s\n%s", res.Stdout, res.Stderr)
	}
}
