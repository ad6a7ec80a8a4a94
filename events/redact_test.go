package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

const secret = "s3cr3t-db-password"

// fillStrings sets every string field reachable from v (through pointers,
// structs and slices, allocating as it goes) to s, so that a field added
// to Event later is covered by the redaction test without editing it.
func fillStrings(v reflect.Value, s string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fillStrings(v.Elem(), s)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fillStrings(v.Field(i), s)
			}
		}
	case reflect.Slice:
		if v.Len() == 0 {
			v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		}
		for i := 0; i < v.Len(); i++ {
			fillStrings(v.Index(i), s)
		}
	}
}

func TestRedactorCoversEveryStringField(t *testing.T) {
	t.Parallel()
	var e Event
	fillStrings(reflect.ValueOf(&e).Elem(), "before "+secret+" after")
	orig := e.Resource.Address
	out := NewRedactor(secret).Event(e)
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(secret)) {
		t.Fatalf("a secret survived redaction:\n%s", b)
	}
	if !bytes.Contains(b, []byte("before "+Redacted+" after")) {
		t.Fatalf("redaction lost the text around the secret:\n%s", b)
	}
	if e.Resource.Address != orig || e.CriticalPath.Stages[0].Stage != orig || e.CriticalPath.Slack[0].Stage != orig {
		t.Fatal("redaction changed the caller's event in place")
	}
}

func TestRedactorString(t *testing.T) {
	t.Parallel()
	r := NewRedactor("abc", "token-1234", "token-1234-extra", `pa"ss\word`)
	cases := []struct{ in, want string }{
		{"short values like abc stay", "short values like abc stay"},
		{"auth token-1234-extra failed", "auth " + Redacted + " failed"},
		{"auth token-1234 failed", "auth " + Redacted + " failed"},
		{`raw pa"ss\word`, "raw " + Redacted},
		{`quoted {"p":"pa\"ss\\word"}`, `quoted {"p":"` + Redacted + `"}`},
		{"nothing here", "nothing here"},
	}
	for _, c := range cases {
		if got := r.String(c.in); got != c.want {
			t.Errorf("String(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	var zero Redactor
	if got := zero.String("x " + secret); got != "x "+secret {
		t.Errorf("a redactor with no secrets changed text: %q", got)
	}
}

// Secrets learned mid-run apply to every sink from then on.
func TestBusRedactsForEverySink(t *testing.T) {
	t.Parallel()
	var a, b bytes.Buffer
	sa, sb := NewNDJSON(&a), NewNDJSON(&b)
	bus := NewBus("r1", "shop", "apply", sa, sb)
	bus.AddSecrets(secret)
	bus.Emit(Event{Type: StageFinished, Stage: "stack.db", Outcome: OutcomeFailed, Error: "connect with password " + secret + ": refused"})
	bus.Emit(Event{Type: ResourceProgress, Stage: "stack.db", Resource: &Resource{Address: `aws_db_instance.x["` + secret + `"]`, Phase: "start"}})
	if err := errors.Join(sa.Close(), sb.Close()); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{a.String(), b.String()} {
		if strings.Contains(out, secret) {
			t.Fatalf("the secret reached a sink:\n%s", out)
		}
		if strings.Count(out, Redacted) != 2 {
			t.Fatalf("want both events redacted:\n%s", out)
		}
	}
}

func TestBusRedactText(t *testing.T) {
	t.Parallel()
	bus := NewBus("r1", "shop", "apply")
	bus.AddSecrets(secret)
	if got := bus.Redact("| stack.db | " + secret + " |"); got != "| stack.db | "+Redacted+" |" {
		t.Fatalf("Redact = %q", got)
	}
	var none *Bus
	if got := none.Redact(secret); got != secret {
		t.Fatalf("a nil bus changed text: %q", got)
	}
}
