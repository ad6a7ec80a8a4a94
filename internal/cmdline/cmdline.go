package cmdline

import "strings"

// Quote returns s as one word of a POSIX shell: as it is when it holds
// only characters no shell reads specially, else in single quotes.
func Quote(s string) string {
	if s == "" {
		return "''"
	}
	if strings.IndexFunc(s, special) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func special(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return false
	}
	return !strings.ContainsRune("-_./:=@%+,", r)
}

// Join quotes each word and joins them with spaces.
func Join(words ...string) string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = Quote(w)
	}
	return strings.Join(out, " ")
}

// Tfrebuild is `tfrebuild VERB ARGS... --config FILE FLAGS...`: the
// config is always named, since a person may run it from anywhere the
// file is reachable by that path.
func Tfrebuild(verb, config string, args []string, flags ...string) string {
	words := append([]string{"tfrebuild", verb}, args...)
	words = append(words, "--config", config)
	return Join(append(words, flags...)...)
}

// Scope is the flags that decide what a run builds: --with, --only and
// --with-deps, in that order.
func Scope(with, only []string, withDeps bool) []string {
	var out []string
	for _, w := range with {
		out = append(out, "--with", w)
	}
	for _, o := range only {
		out = append(out, "--only", o)
	}
	if withDeps {
		out = append(out, "--with-deps")
	}
	return out
}

// Where is the account and region an AWS CLI command acts in. Account
// and Label name the account when it is not the one the default
// credentials reach (Other), so that a person knows which credentials to
// run it with.
type Where struct {
	Region  string
	Account string // the 12-digit ID
	Label   string // the config's name for the account ("mgmt"), if any
	RoleARN string // the role tfrebuild assumes there, if any
	Other   bool   // not the target's own account
}

// AWS is `aws SERVICE OPERATION ARGS... --region REGION`, and, for
// another account, a note of whose credentials to run it with.
func AWS(w Where, service, op string, args ...string) string {
	words := append([]string{"aws", service, op}, args...)
	if w.Region != "" {
		words = append(words, "--region", w.Region)
	}
	return Join(words...) + w.credentials()
}

// For is a command line with, when it acts in another account than the
// target, the note of whose credentials to run it with.
func For(w Where, line string) string { return line + w.credentials() }

// credentials is the note that follows a command acting in another
// account: "  # with credentials for account mgmt (210987654321), e.g.
// by assuming arn:…".
func (w Where) credentials() string {
	if !w.Other || w.Account == "" {
		return ""
	}
	who := w.Account
	if w.Label != "" {
		who = w.Label + " (" + w.Account + ")"
	}
	note := "  # with credentials for account " + who
	if w.RoleARN != "" {
		note += ", e.g. by assuming " + w.RoleARN
	}
	return note
}
