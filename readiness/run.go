package readiness

import (
	"context"
	"fmt"
	"time"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/history"
)

// Deps are the real or fake collaborators of the checks, each opened per
// account after that account's access check has passed. A nil one leaves
// its checks out (Planned: no --plan).
type Deps struct {
	Guard   Guard
	Buckets func(a bootstrap.Account) (BucketFinder, error)
	Sources func(a bootstrap.Account) (Sources, error)
	Images  func(a bootstrap.Account) (ImageLister, error)
	// Engine checks the pinned engine and the providers of the lock files.
	Engine func(ctx context.Context) []Check
	// Planned lists the S3 buckets the stacks' plans would create.
	Planned func(ctx context.Context) ([]PlannedBucket, error)
	// Predict predicts the rebuild's duration from its history.
	Predict func(ctx context.Context) (history.Prediction, error)
	Now     func() time.Time
}

// Run runs every check over cfg and returns the report. It writes
// nothing: every call it makes through deps is a read.
func Run(ctx context.Context, cfg *config.Config, d Deps) *Report {
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	rep := &Report{Project: cfg.Project, AccountID: cfg.Target.AccountID, Region: cfg.Target.Region, CheckedAt: now().UTC()}
	accounts := []bootstrap.Account{bootstrap.AccountOf(cfg, "")}
	for _, a := range cfg.Accounts {
		accounts = append(accounts, bootstrap.AccountOf(cfg, a.Name))
	}
	checks, passed := CheckAccess(ctx, d.Guard, accounts)
	rep.add(checks...)
	r := runner{ctx: ctx, cfg: cfg, d: d, passed: passed, now: now}
	rep.add(r.stateBucket())
	rep.add(r.restores()...)
	rep.add(r.images()...)
	rep.add(r.planned()...)
	if d.Engine != nil {
		rep.add(d.Engine(ctx)...)
	}
	if d.Predict != nil {
		pred, err := d.Predict(ctx)
		rep.add(CheckRTO(cfg.Filename, cfg.RTO, pred, err))
	}
	rep.finish()
	return rep
}

// runner holds what the checks after access share.
type runner struct {
	ctx    context.Context
	cfg    *config.Config
	d      Deps
	passed map[string]bool
	now    func() time.Time
}

// in opens what a check needs in an account, or returns the check that
// says why it could not: access to the account failed, or opening failed.
func in[T any](r runner, name, account string, open func(bootstrap.Account) (T, error)) (T, bootstrap.Account, *Check) {
	var zero T
	a := bootstrap.AccountOf(r.cfg, account)
	if !r.passed[account] {
		c := blocked(name, a)
		return zero, a, &c
	}
	v, err := open(a)
	if err != nil {
		return zero, a, &Check{Name: name, Verdict: Fail, Found: fmt.Sprintf("open a session in %s: %v", a.Label(), err)}
	}
	return v, a, nil
}

func (r runner) stateBucket() Check {
	f, a, c := in(r, "state_bucket", r.cfg.State.Account, r.d.Buckets)
	if c != nil {
		return *c
	}
	where := fmt.Sprintf("state.bucket (%s:%d)", r.cfg.State.BucketRange.Filename, r.cfg.State.BucketRange.Start.Line)
	return CheckBucketName(r.ctx, f, "state_bucket", a, r.cfg.State.Bucket, where)
}

func (r runner) restores() []Check {
	var out []Check
	for _, rs := range r.cfg.Restores {
		account := ""
		if st := r.cfg.Stack(rs.Stack); st != nil {
			account = st.Account
		}
		src, a, c := in(r, "restore."+rs.Name, account, r.d.Sources)
		if c != nil {
			out = append(out, *c)
			continue
		}
		out = append(out, CheckRestore(r.ctx, src, rs, a, r.cfg.RPO, r.now()))
	}
	return out
}
