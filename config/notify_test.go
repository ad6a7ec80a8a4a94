package config

import (
	"fmt"
	"strings"
	"testing"
)

const secretURL = "https://hooks.example.com/services/T000/B000/s3cr3t-t0ken"

func TestNotify(t *testing.T) {
	t.Setenv("TFREBUILD_TEST_HOOK", secretURL)
	cfg, diags := parseHere(t, validHeader+`notify "ops" {
  url    = env("TFREBUILD_TEST_HOOK")
  on     = ["failed", "waiting", "done", "failed"]
  format = "slack"
}
notify "ci" {
  url = env("TFREBUILD_TEST_HOOK")
}
`)
	if diags.HasErrors() || len(diags) != 0 {
		t.Fatal(DiagnosticsError(diags), diags)
	}
	ops, ci := cfg.Notifications[0], cfg.Notifications[1]
	if ops.URL != secretURL || ops.Format != "slack" || strings.Join(ops.On, ",") != "failed,waiting,done" {
		t.Errorf("ops decoded as %s / %v", ops, ops.On)
	}
	if ci.Format != "json" || strings.Join(ci.On, ",") != "failed,waiting,done,readiness_failed,drill_verdict" || !ci.Wants("done") || ci.Wants("started") {
		t.Errorf("defaults: %s", ci)
	}
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(f, ops) + fmt.Sprintf(f, *ops); strings.Contains(out, "s3cr3t") {
			t.Errorf("%s prints the secret URL: %s", f, out)
		}
	}
}

// TestNotifyErrorsNeverShowTheURL: whatever is wrong with a notify block,
// no diagnostic carries the URL's value.
func TestNotifyErrors(t *testing.T) {
	t.Setenv("TFREBUILD_TEST_BADHOOK", "ftp://s3cr3t@hooks.example.com/x")
	t.Setenv("TFREBUILD_TEST_NOHOST", "https:///s3cr3t")
	t.Setenv("TFREBUILD_TEST_GARBAGE", "http://[s3cr3t")
	block := func(body string) string { return validHeader + "notify \"ops\" {\n" + body + "}\n" }
	cases := []struct{ name, src, pos, want string }{
		{"missing variable", block("  url = env(\"" + unsetVar + "\")\n"), "15:14", "the environment variable " + unsetVar + " is not set"},
		{"missing url", block(""), "14:14", `"url" is required`},
		{"bad scheme", block("  url = env(\"TFREBUILD_TEST_BADHOOK\")\n"), "15:9", "not an http(s) URL"},
		{"no host", block("  url = env(\"TFREBUILD_TEST_NOHOST\")\n"), "15:9", "not an http(s) URL"},
		{"unparsable", block("  url = env(\"TFREBUILD_TEST_GARBAGE\")\n"), "15:9", "its value is not shown"},
		{"reference", block("  url = stack.x.outputs.s3cr3t\n"), "15:9", "not a reference"},
		{"unknown function", block("  url = enb(\"TFREBUILD_TEST_BADHOOK\")\n"), "15:9", `Did you mean "env"?`},
		{"unknown event", block("  url = \"https://h.example.com/s3cr3t\"\n  on = [\"done\", \"fialed\"]\n"), "16:17", `"fialed" is not one of`},
		{"empty events", block("  url = \"https://h.example.com/s3cr3t\"\n  on = []\n"), "16:8", "never be sent"},
		{"bad format", block("  url = \"https://h.example.com/s3cr3t\"\n  format = \"teams\"\n"), "16:12", `is not one of "slack" or "json"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, tc.src, tc.pos, tc.want)
			_, diags := parseHere(t, tc.src)
			for _, d := range diags {
				if line := FormatDiagnostic(d); strings.Contains(line, "s3cr3t") && !strings.Contains(tc.name, "reference") {
					t.Errorf("a diagnostic shows the secret: %s", line)
				}
			}
		})
	}
	cfg, diags := parseHere(t, block("  url = env(\""+unsetVar+"\", \"\")\n"))
	if diags.HasErrors() || len(diags) != 1 || diags[0].Summary != "Notification off" || len(cfg.Notifications) != 0 {
		t.Errorf("env(NAME, \"\") unset: want the notification off with a warning, got %v and %d notifications", diags, len(cfg.Notifications))
	}
	wantError(t, block("  url = \"\"\n"), "15:9", "not an http(s) URL")
	_, diags = parseHere(t, block("  url = \""+secretURL+"\"\n"))
	if diags.HasErrors() || len(diags) != 1 || !strings.Contains(diags[0].Detail, "keep it out of version control") || strings.Contains(FormatDiagnostic(diags[0]), "s3cr3t") {
		t.Errorf("a literal URL: want one warning without the URL, got %v", diags)
	}
}
