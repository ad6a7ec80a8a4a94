package readiness

import (
	"fmt"

	"github.com/tfrebuild/tfrebuild/internal/cmdline"
)

// PlannedBucket is an S3 bucket a stack's plan would create.
type PlannedBucket struct {
	Stack   string
	Address string
	Bucket  string
	// Account is the account block the stack runs in; "" is the target.
	Account string
}

// planned checks every bucket name the plans would create (--plan).
func (r runner) planned() []Check {
	if r.d.Planned == nil {
		return nil
	}
	list, err := r.d.Planned(r.ctx)
	if err != nil {
		return []Check{{Name: "global_names", Verdict: Fail, Found: fmt.Sprintf("plan the stacks: %v", err),
			Do: cmdline.Tfrebuild("plan", r.cfg.Filename, nil)}}
	}
	var out []Check
	for _, b := range list {
		name := "global_name.s3://" + b.Bucket
		f, a, c := in(r, name, b.Account, r.d.Buckets)
		if c != nil {
			out = append(out, *c)
			continue
		}
		out = append(out, CheckBucketName(r.ctx, f, name, a, b.Bucket, fmt.Sprintf("stack %s (%s)", b.Stack, b.Address)))
	}
	if len(out) == 0 {
		out = append(out, Check{Name: "global_names", Verdict: OK, Found: "the plans create no S3 bucket"})
	}
	return out
}
