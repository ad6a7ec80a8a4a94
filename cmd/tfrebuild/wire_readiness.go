package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/internal/awserr"
	"github.com/tfrebuild/tfrebuild/readiness"
	"github.com/tfrebuild/tfrebuild/restore"
)

// The real collaborators of readiness's checks: the caller's sessions
// (no guard up front: the access check runs it per account, and the
// checks of an account whose guard failed are not run), restore's source
// checks, ECR. Every one of them only reads.

var (
	_ readiness.Guard         = (*bootstrap.Sessions)(nil)
	_ readiness.BucketFinder  = (*bootstrap.Session)(nil)
	_ readiness.TableSources  = (*restore.Tables)(nil)
	_ readiness.BucketSources = (*restore.Buckets)(nil)
	_ readiness.ImageLister   = ecrImages{}
)

func readinessDeps(ctx context.Context, env *cliEnv, cfg *config.Config, plan bool) (readiness.Deps, error) {
	ss, err := bootstrap.LoadSessions(ctx, cfg.Project)
	if err != nil {
		return readiness.Deps{}, err
	}
	d := readiness.Deps{
		Guard:   ss,
		Buckets: func(a bootstrap.Account) (readiness.BucketFinder, error) { return ss.For(a) },
		Sources: func(a bootstrap.Account) (readiness.Sources, error) {
			s, err := ss.For(a)
			return sessionSources{s}, err
		},
		Images: func(a bootstrap.Account) (readiness.ImageLister, error) {
			s, err := ss.For(a)
			return ecrImages{s}, err
		},
	}
	return d, nil
}

// sessionSources are restore's source checks on an account's session.
type sessionSources struct{ s *bootstrap.Session }

func (r sessionSources) Tables(sourceRegion string) readiness.TableSources {
	return restore.NewTables(r.s.Config, sourceRegion)
}

func (r sessionSources) Buckets(sourceRegion string) readiness.BucketSources {
	pathStyle := r.s.Endpoints["s3"] != ""
	return restore.NewBuckets(r.s.Config, sourceRegion, func(o *s3.Options) {
		o.UsePathStyle = pathStyle
		o.DisableLogOutputChecksumValidationSkipped = true
	})
}

// ecrImages lists a repository's tags with ECR DescribeImages, in another
// region or registry when the repository names one.
type ecrImages struct{ s *bootstrap.Session }

func (e ecrImages) Tags(ctx context.Context, repo readiness.Repo) ([]string, bool, error) {
	client := e.s.ECR
	if repo.Region != "" && repo.Region != e.s.Config.Region {
		client = ecr.NewFromConfig(e.s.Config, func(o *ecr.Options) { o.Region = repo.Region })
	}
	in := &ecr.DescribeImagesInput{RepositoryName: aws.String(repo.Name)}
	if repo.RegistryID != "" {
		in.RegistryId = aws.String(repo.RegistryID)
	}
	var tags []string
	p := ecr.NewDescribeImagesPaginator(client, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if awserr.Is(err, "RepositoryNotFoundException") {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, err
		}
		for _, img := range page.ImageDetails {
			tags = append(tags, img.ImageTags...)
		}
	}
	return tags, true, nil
}
