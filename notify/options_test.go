package notify

import (
	"fmt"
	"strings"
	"testing"
)

func TestOptionsValidation(t *testing.T) {
	t.Parallel()
	secretURL := "ftp://hooks.example.com/" + token
	_, err := New(Options{Name: "ops", URL: secretURL, On: []string{"finished"}, Format: "teams"})
	if err == nil {
		t.Fatal("bad options accepted")
	}
	for _, want := range []string{`notify "ops": url is not an http or https URL`, `unknown trigger "finished"`, `unknown format "teams"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), token) {
		t.Errorf("the URL leaked into a validation error: %v", err)
	}
	if _, err := New(Options{Name: "ops"}); err == nil || !strings.Contains(err.Error(), "url is empty") {
		t.Errorf("an empty URL: %v", err)
	}
}

func TestOptionsPrintWithoutURL(t *testing.T) {
	t.Parallel()
	o := Options{Name: "ops", URL: "https://hooks.example.com/" + token, On: []string{OnDone}}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(verb, o); strings.Contains(s, token) || !strings.Contains(s, `notify "ops"`) {
			t.Errorf("%s prints %q", verb, s)
		}
	}
}

func TestScrubURL(t *testing.T) {
	t.Parallel()
	raw := "https://bot:pa55word@hooks.example.com/services/T0/B0/" + token + "?sig=abcdef123"
	in := `Post "` + raw + `": EOF; path /services/T0/B0/` + token + `; sig=abcdef123; user bot:pa55word`
	got := scrubURL(in, raw)
	for _, leak := range []string{token, "abcdef123", "pa55word", raw} {
		if strings.Contains(got, leak) {
			t.Errorf("%q survived: %s", leak, got)
		}
	}
}
