package bootstrap

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/internal/awserr"
)

// Teardown deletes what the bootstrap stages made, for drills. It deletes
// only resources tagged as created by this target (Options.Target), and a
// state bucket only when every object in it is under the project's
// prefix; anything else is kept, and the report says why. With
// Options.DryRun it reports what it would delete and deletes nothing.

// DeleteRegistries deletes the configured ECR repositories this target
// created, with their images.
func (s *Session) DeleteRegistries(ctx context.Context, regs []*config.Registry, opts Options) (*Report, error) {
	rep := &Report{}
	for _, r := range regs {
		out, err := s.ECR.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{r.Name}})
		if awserr.Is(err, "RepositoryNotFoundException") {
			continue
		}
		if err != nil {
			return rep, fmt.Errorf("repository %q: describe: %w", r.Name, err)
		}
		tags, err := s.repositoryTags(ctx, aws.ToString(out.Repositories[0].RepositoryArn))
		if err != nil {
			return rep, err
		}
		if !opts.ours(tags) {
			rep.add(Change{Resource: "ecr:" + r.Name, Action: Keep, Detail: opts.whyKept(tags)})
			continue
		}
		if opts.DryRun {
			rep.add(Change{Resource: "ecr:" + r.Name, Action: Delete, Detail: "repository and its images"})
			continue
		}
		if _, err := s.ECR.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String(r.Name), Force: true}); err != nil {
			return rep, fmt.Errorf("delete repository %q: %w", r.Name, err)
		}
		rep.add(Change{Resource: "ecr:" + r.Name, Action: Delete, Detail: "repository and its images", Applied: true})
	}
	return rep, nil
}

// DeleteState deletes the lock table and the state bucket with every
// version of every object in it.
func (s *Session) DeleteState(ctx context.Context, account string, st config.State, opts Options) (*Report, error) {
	rep := &Report{}
	if st.LockTable != "" {
		if err := s.deleteTable(ctx, st.LockTable, opts, rep); err != nil {
			return rep, err
		}
	}
	owned, err := s.listsBucket(ctx, st.Bucket)
	if err != nil || !owned {
		return rep, err
	}
	res := "s3://" + st.Bucket
	tags, err := s.bucketTags(ctx, account, st.Bucket)
	if err != nil {
		return rep, err
	}
	if !opts.ours(tags) {
		rep.add(Change{Resource: res, Action: Keep, Detail: opts.whyKept(tags)})
		return rep, nil
	}
	if opts.DryRun {
		rep.add(Change{Resource: res, Action: Delete, Detail: "state bucket with every version of its objects"})
		return rep, nil
	}
	if err := s.emptyBucket(ctx, account, st.Bucket, opts.Project+"/"); err != nil {
		return rep, err
	}
	if _, err := s.S3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(st.Bucket), ExpectedBucketOwner: aws.String(account)}); err != nil {
		return rep, fmt.Errorf("delete state bucket %q: %w", st.Bucket, err)
	}
	if s.owned != nil {
		s.owned.Delete(account + "/" + st.Bucket) // proved no more
	}
	rep.add(Change{Resource: res, Action: Delete, Detail: "state bucket with every version of its objects", Applied: true})
	return rep, nil
}

func (s *Session) deleteTable(ctx context.Context, table string, opts Options, rep *Report) error {
	out, err := s.DDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if awserr.Is(err, "ResourceNotFoundException") {
		return nil
	}
	if err != nil {
		return fmt.Errorf("lock table %q: describe: %w", table, err)
	}
	tags, err := s.tableTags(ctx, aws.ToString(out.Table.TableArn))
	if err != nil {
		return err
	}
	if !opts.ours(tags) {
		rep.add(Change{Resource: "dynamodb:" + table, Action: Keep, Detail: opts.whyKept(tags)})
		return nil
	}
	if opts.DryRun {
		rep.add(Change{Resource: "dynamodb:" + table, Action: Delete, Detail: "lock table"})
		return nil
	}
	if _, err := s.DDB.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(table)}); err != nil {
		return fmt.Errorf("delete lock table %q: %w", table, err)
	}
	rep.add(Change{Resource: "dynamodb:" + table, Action: Delete, Detail: "lock table", Applied: true})
	return nil
}

// EmptyBucket deletes every object version and delete marker in a bucket
// of account's, so that Terraform can delete a versioned bucket without
// force_destroy. It is for a drill's teardown, and only for buckets that
// drill's own rebuild created; it returns how many versions it deleted.
func (s *Session) EmptyBucket(ctx context.Context, account, bucket string) (int, error) {
	return s.emptyBucketCount(ctx, account, bucket, "")
}

// emptyBucket deletes every object version and delete marker, refusing if
// any key lies outside prefix: that is someone else's state.
func (s *Session) emptyBucket(ctx context.Context, account, bucket, prefix string) error {
	_, err := s.emptyBucketCount(ctx, account, bucket, prefix)
	return err
}

func (s *Session) emptyBucketCount(ctx context.Context, account, bucket, prefix string) (int, error) {
	var ids []s3types.ObjectIdentifier
	p := s3.NewListObjectVersionsPaginator(s.S3, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), ExpectedBucketOwner: aws.String(account)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, fmt.Errorf("list the versions in bucket %q: %w", bucket, err)
		}
		for _, v := range page.Versions {
			ids = append(ids, s3types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
		}
		for _, m := range page.DeleteMarkers {
			ids = append(ids, s3types.ObjectIdentifier{Key: m.Key, VersionId: m.VersionId})
		}
	}
	for _, id := range ids {
		if !strings.HasPrefix(aws.ToString(id.Key), prefix) {
			return 0, fmt.Errorf("state bucket %q holds %q, outside %s: it is not only this project's; delete it by hand", bucket, aws.ToString(id.Key), prefix)
		}
	}
	total := len(ids)
	for len(ids) > 0 {
		n := min(len(ids), 1000)
		_, err := s.S3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), ExpectedBucketOwner: aws.String(account),
			Delete: &s3types.Delete{Objects: ids[:n], Quiet: aws.Bool(true)}})
		if err != nil {
			return 0, fmt.Errorf("empty bucket %q: %w", bucket, err)
		}
		ids = ids[n:]
	}
	return total, nil
}
