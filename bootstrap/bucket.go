package bootstrap

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/internal/awserr"
	"github.com/tfrebuild/tfrebuild/internal/poll"
)

// ForeignBucketError is a state bucket name held by another account.
// Nothing is ever written into such a bucket.
type ForeignBucketError struct {
	Bucket, Region, Account string
}

func (e *ForeignBucketError) Error() string {
	return fmt.Sprintf("state bucket %q in %s: the name belongs to another AWS account, not %s; nothing was written to it. "+
		"Choose another name in state.bucket, for example %q",
		e.Bucket, e.Region, e.Account, SuggestBucketName(e.Bucket, e.Account, e.Region))
}

// SuggestBucketName proposes a bucket name that carries the account and
// region, which makes a collision with another account unlikely.
func SuggestBucketName(bucket, account, region string) string {
	name := fmt.Sprintf("%s-%s-%s", bucket, account, region)
	if len(name) > 63 {
		name = fmt.Sprintf("tfstate-%s-%s", account, region)
	}
	return name
}

// EnsureBucket creates the state bucket if it is missing and hardens it:
// versioning, default encryption, public access block, bucket-owner-enforced
// ownership and, unless turned off, a policy denying plain HTTP.
func (s *Session) EnsureBucket(ctx context.Context, account string, st config.State, opts Options) (*Report, error) {
	rep := &Report{}
	res := "s3://" + st.Bucket
	settings := s.bucketSettings(account, st)
	if opts.deferDrift() {
		exists, err := s.findBucket(ctx, account, st.Bucket)
		if err == nil {
			opts.proved()
		}
		switch {
		case err != nil:
			return rep, err
		case exists:
			// Its tags only decide whether to converge, which it will not.
			// Its region, proved when the stage was done (a bucket cannot
			// move), is checked again with its settings.
			check := later(res, settings, opts.DryRun)
			rep.Later = func(ctx context.Context) (*Report, error) {
				if err := s.checkBucketRegion(ctx, account, st.Bucket); err != nil {
					return &Report{}, err
				}
				return check(ctx)
			}
			return rep, nil
		}
		return rep, s.createHardened(ctx, rep, account, st, settings, opts)
	}
	exists, err := s.findBucket(ctx, account, st.Bucket)
	if err != nil {
		return rep, err
	}
	opts.proved()
	if exists {
		tags, checks, err := s.readBucket(ctx, account, st.Bucket, settings)
		if err != nil {
			return rep, err
		}
		if opts.Intended && opts.Converge && !opts.ours(tags) && !opts.DryRun {
			// Created by a run that died before tagging and hardening it.
			if err := s.tagBucket(ctx, account, st.Bucket, opts); err != nil {
				return rep, err
			}
			rep.add(Change{Resource: res, Action: Update, Detail: "tagged: created by this target's earlier run, which stopped before tagging and hardening it", Applied: true})
			tags = opts.tags()
		}
		apply := opts.Repair || (opts.Converge && opts.ours(tags))
		return rep, fixAll(ctx, rep, res, settings, checks, apply, false, opts.DryRun, nil)
	}
	return rep, s.createHardened(ctx, rep, account, st, settings, opts)
}

// createHardened creates the missing state bucket with its settings.
func (s *Session) createHardened(ctx context.Context, rep *Report, account string, st config.State, settings []setting, opts Options) error {
	res := "s3://" + st.Bucket
	if opts.DryRun {
		rep.add(Change{Resource: res, Action: Create, Detail: "versioned, encrypted, private state bucket in " + s.Config.Region})
		return nil
	}
	if err := s.createBucket(ctx, account, st.Bucket, opts); err != nil {
		return err
	}
	rep.add(Change{Resource: res, Action: Create, Detail: "state bucket in " + s.Config.Region, Applied: true})
	if err := s.checkBucketRegion(ctx, account, st.Bucket); err != nil {
		return err
	}
	s.proved(account, st.Bucket)
	return converge(ctx, rep, res, settings, true, true, false, nil)
}

// proved remembers that the session proved bucket the account's.
func (s *Session) proved(account, bucket string) {
	if s.owned != nil {
		s.owned.Store(account+"/"+bucket, true)
	}
}

// findBucket decides whether the bucket exists and whose it is: it is
// ours if it exists, and a ForeignBucketError if another account holds the
// name. moto does not enforce ExpectedBucketOwner, so ownership is also
// proved by the name appearing in the caller's own ListBuckets.
func (s *Session) findBucket(ctx context.Context, account, bucket string) (exists bool, err error) {
	if s.owned == nil {
		return s.proveBucket(ctx, account, bucket)
	}
	if _, ok := s.owned.Load(account + "/" + bucket); ok {
		return true, nil
	}
	exists, err = s.proveBucket(ctx, account, bucket)
	if exists && err == nil {
		s.proved(account, bucket)
	}
	return exists, err
}

// proveBucket is findBucket's proof, asked of the cloud.
func (s *Session) proveBucket(ctx context.Context, account, bucket string) (exists bool, err error) {
	owned, err := s.listsBucket(ctx, bucket)
	if err != nil || owned {
		return owned, err
	}
	_, err = s.S3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket), ExpectedBucketOwner: aws.String(account)})
	switch {
	case awserr.Is(err, "NotFound", "NoSuchBucket"):
		return false, nil
	case err == nil || awserr.Is(err, "Forbidden", "AccessDenied", "403"):
		return s.foreignUnlessListed(ctx, account, bucket)
	default:
		return false, fmt.Errorf("state bucket %q: check whether it exists: %w", bucket, err)
	}
}

// readBucket reads an existing bucket's tags, region and settings at once.
// It is called only after findBucket has proved the bucket ours, and makes
// no write. Its errors come in the order these reads were once made in:
// tags, then region; a setting's is left to fixAll.
func (s *Session) readBucket(ctx context.Context, account, bucket string, settings []setting) (map[string]string, []checked, error) {
	var (
		wg                 sync.WaitGroup
		tags               map[string]string
		tagsErr, regionErr error
		checks             []checked
	)
	wg.Go(func() { tags, tagsErr = s.bucketTags(ctx, account, bucket) })
	wg.Go(func() { regionErr = s.checkBucketRegion(ctx, account, bucket) })
	wg.Go(func() { checks = checkAll(ctx, settings) })
	wg.Wait()
	if tagsErr != nil {
		return nil, nil, tagsErr
	}
	if regionErr != nil {
		return nil, nil, regionErr
	}
	return tags, checks, nil
}

// foreignUnlessListed decides about a bucket that exists but was not in
// the account's list: another run of this target (a second checkout
// bootstrapping at the same time) may have created it between the list
// and the check. It is ours if the account lists it now; otherwise the
// name is another account's.
func (s *Session) foreignUnlessListed(ctx context.Context, account, bucket string) (bool, error) {
	owned, err := s.listsBucket(ctx, bucket)
	if err != nil || owned {
		return owned, err
	}
	return false, &ForeignBucketError{Bucket: bucket, Region: s.Config.Region, Account: account}
}

func (s *Session) listsBucket(ctx context.Context, bucket string) (bool, error) {
	if s.listedAhead(ctx, bucket) {
		return true, nil
	}
	names, err := s.bucketNames(ctx)
	return names[bucket], err
}

func (s *Session) createBucket(ctx context.Context, account, bucket string, opts Options) error {
	in := &s3.CreateBucketInput{Bucket: aws.String(bucket), ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced}
	// us-east-1 takes no location constraint.
	if s.Config.Region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(s.Config.Region)}
	}
	if opts.BeforeCreate != nil {
		if err := opts.BeforeCreate("s3://" + bucket); err != nil {
			return fmt.Errorf("record the intent to create state bucket %q: %w", bucket, err)
		}
	}
	_, err := s.S3.CreateBucket(ctx, in)
	switch {
	case awserr.Is(err, "BucketAlreadyExists"):
		if _, err := s.foreignUnlessListed(ctx, account, bucket); err != nil {
			return err
		}
	case err != nil && !awserr.Is(err, "BucketAlreadyOwnedByYou"):
		return fmt.Errorf("create state bucket %q in %s: %w", bucket, s.Config.Region, err)
	}
	// The SDK's waiter would ask again after 5 s when the new bucket is not
	// yet visible; poll.NewTable's pace is enough for S3 too.
	fast := func(o *s3.BucketExistsWaiterOptions) { o.MinDelay, o.MaxDelay = poll.NewTable.Min, poll.NewTable.Max }
	head := &s3.HeadBucketInput{Bucket: aws.String(bucket), ExpectedBucketOwner: aws.String(account)}
	if err := s3.NewBucketExistsWaiter(s.S3, fast).Wait(ctx, head, waitLimit); err != nil {
		return fmt.Errorf("wait for state bucket %q: %w", bucket, err)
	}
	return s.tagBucket(ctx, account, bucket, opts)
}

// tagBucket tags the state bucket as this target's own.
func (s *Session) tagBucket(ctx context.Context, account, bucket string, opts Options) error {
	var tagSet []s3types.Tag
	tags := opts.tags()
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		tagSet = append(tagSet, s3types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	_, err := s.S3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(bucket), ExpectedBucketOwner: aws.String(account),
		Tagging: &s3types.Tagging{TagSet: tagSet}})
	if err != nil {
		return fmt.Errorf("tag state bucket %q: %w", bucket, err)
	}
	return nil
}

func (s *Session) checkBucketRegion(ctx context.Context, account, bucket string) error {
	out, err := s.S3.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(bucket), ExpectedBucketOwner: aws.String(account)})
	if err != nil {
		return fmt.Errorf("state bucket %q: read its region: %w", bucket, err)
	}
	region := string(out.LocationConstraint)
	switch region {
	case "":
		region = "us-east-1"
	case "EU":
		region = "eu-west-1"
	}
	if region != s.Config.Region {
		return fmt.Errorf("state bucket %q is in %s, not %s, the region of the %s that holds the state; use a bucket in %s (state.bucket)",
			bucket, region, s.Config.Region, s.Account.Label(), s.Config.Region)
	}
	return nil
}

func (s *Session) bucketTags(ctx context.Context, account, bucket string) (map[string]string, error) {
	out, err := s.S3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(bucket), ExpectedBucketOwner: aws.String(account)})
	if awserr.Is(err, "NoSuchTagSet", "NoSuchTagSetError") {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("state bucket %q: read tags: %w", bucket, err)
	}
	tags := map[string]string{}
	for _, t := range out.TagSet {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, nil
}

// FindBucket says, reading only, whether a bucket name is ours (it
// exists and the account lists it), free (false, nil) or another
// account's (*ForeignBucketError): the owner check every command makes
// before it touches the state bucket.
// It always asks the cloud.
func (s *Session) FindBucket(ctx context.Context, account, bucket string) (bool, error) {
	return s.proveBucket(ctx, account, bucket)
}
