package bootstrap

import (
	"context"

	"github.com/tfrebuild/tfrebuild/config"
)

// AccountOf is the account a state, registry or stack block names ("" for
// the target), as the guard and the sessions take it.
func AccountOf(cfg *config.Config, name string) Account {
	a := TargetAccount(cfg.AccountFor(name))
	a.Name = name
	return a
}

// OpenGuarded opens the caller's sessions and runs the guard over the
// target and every declared account of cfg, before anything is written
// anywhere. The error lists every block that fails.
func OpenGuarded(ctx context.Context, cfg *config.Config) (*Sessions, map[string]Identity, error) {
	ss, err := LoadSessions(ctx, cfg.Project)
	if err != nil {
		return nil, nil, err
	}
	var others []Account
	for _, a := range cfg.Accounts {
		others = append(others, AccountOf(cfg, a.Name))
	}
	if cfg.State.Account == "" {
		// The proof that the state bucket is the account's starts with
		// a list of its buckets: a read, made while the identity is
		// checked, and used once it has been.
		if s, err := ss.For(AccountOf(cfg, "")); err == nil {
			s.ListAhead(ctx)
		}
	}
	if names := targetRegistries(cfg); len(names) > 0 {
		// A resume's registries stage asks only whether each repository
		// is there: the reads are made now too, and used after the guard.
		if s, err := ss.For(AccountOf(cfg, "")); err == nil {
			s.DescribeAhead(ctx, names)
		}
	}
	ids, err := ss.Guard(ctx, AccountOf(cfg, ""), others...)
	if err != nil {
		return nil, nil, err
	}
	return ss, ids, nil
}

// targetRegistries names the repositories that live in the target account.
func targetRegistries(cfg *config.Config) []string {
	var names []string
	for _, r := range cfg.Registries {
		if r.Account == "" {
			names = append(names, r.Name)
		}
	}
	return names
}
