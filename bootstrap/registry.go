package bootstrap

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/internal/awserr"
)

// EnsureRegistries creates each missing ECR repository with its settings,
// and verifies the ones that exist. Call it on the session of the account
// that holds the registries; opts.PullAccounts names the other accounts
// each may be pulled from, and the repository policy is kept to match.
//
// Every repository is read first, several at once; then, in config order,
// each is created or fixed and reported. A read error surfaces when its
// repository's turn comes, after the writes to the ones before it, as when
// each repository was read just before it was written.
func (s *Session) EnsureRegistries(ctx context.Context, regs []*config.Registry, opts Options) (*Report, error) {
	rep := &Report{}
	reads := make([]registryRead, len(regs))
	var wg sync.WaitGroup
	// A cap keeps a long registry list from bursting ECR's request rate.
	slots := make(chan struct{}, registryReads)
	for i, r := range regs {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			reads[i] = s.readRegistry(ctx, r, opts)
		})
	}
	wg.Wait()
	var later []func(context.Context) (*Report, error)
	for i, r := range regs {
		if d := reads[i].described; d != nil {
			later = append(later, s.registryLater(r, opts, d))
			continue
		}
		if err := s.ensureRegistry(ctx, r, opts, reads[i], rep); err != nil {
			return rep, err
		}
	}
	if len(later) > 0 {
		rep.Later = allLater(later)
	}
	return rep, nil
}

// registryLater is the Later of a repository that exists (DriftLater):
// its tags and settings, read and checked off the critical path.
func (s *Session) registryLater(r *config.Registry, opts Options, d *ecr.DescribeRepositoriesOutput) func(context.Context) (*Report, error) {
	return func(ctx context.Context) (*Report, error) {
		rep := &Report{}
		rd := s.readRepository(ctx, r, opts, d)
		if rd.err != nil {
			return rep, rd.err
		}
		return rep, fixAll(ctx, rep, "ecr:"+r.Name, rd.settings, rd.checks, false, false, opts.DryRun, nil)
	}
}

// allLater runs several Laters at once into one report.
func allLater(fs []func(context.Context) (*Report, error)) func(context.Context) (*Report, error) {
	return func(ctx context.Context) (*Report, error) {
		reps, errs := make([]*Report, len(fs)), make([]error, len(fs))
		var wg sync.WaitGroup
		for i, f := range fs {
			wg.Go(func() { reps[i], errs[i] = f(ctx) })
		}
		wg.Wait()
		all := &Report{}
		for _, r := range reps {
			if r != nil {
				all.Changes = append(all.Changes, r.Changes...)
			}
		}
		return all, errors.Join(errs...)
	}
}

// registryReads is how many repositories are read at once.
const registryReads = 4

// registryRead is what the reads of one repository found.
type registryRead struct {
	missing bool
	// described: the repository exists and its settings are left for
	// later (Options.DriftLater); nothing else was read.
	described *ecr.DescribeRepositoriesOutput
	tags      map[string]string
	settings  []setting
	checks    []checked
	err       error
}

func (s *Session) readRegistry(ctx context.Context, r *config.Registry, opts Options) registryRead {
	out, ahead := s.takeDescribed(ctx, r.Name)
	var err error
	if !ahead {
		out, err = s.ECR.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{r.Name}})
	}
	switch {
	case awserr.Is(err, "RepositoryNotFoundException"):
		return registryRead{missing: true}
	case err != nil:
		return registryRead{err: fmt.Errorf("repository %q: describe: %w", r.Name, err)}
	}
	if opts.deferDrift() {
		return registryRead{described: out}
	}
	return s.readRepository(ctx, r, opts, out)
}

// readRepository reads the tags and checks the settings of a described
// repository at once; a tags error comes first, as when tags were read
// before the checks.
func (s *Session) readRepository(ctx context.Context, r *config.Registry, opts Options, out *ecr.DescribeRepositoriesOutput) registryRead {
	if len(out.Repositories) != 1 {
		return registryRead{err: fmt.Errorf("repository %q: describe returned %d repositories", r.Name, len(out.Repositories))}
	}
	repo := out.Repositories[0]
	rd := registryRead{settings: append(s.registrySettings(r, repo), s.pullPolicySetting(r.Name, s.pullAccounts(r.Name, opts)))}
	var wg sync.WaitGroup
	wg.Go(func() { rd.tags, rd.err = s.repositoryTags(ctx, aws.ToString(repo.RepositoryArn)) })
	rd.checks = checkAll(ctx, rd.settings)
	wg.Wait()
	return rd
}

func (s *Session) ensureRegistry(ctx context.Context, r *config.Registry, opts Options, rd registryRead, rep *Report) error {
	res := "ecr:" + r.Name
	created := false
	if rd.missing {
		if opts.DryRun {
			rep.add(Change{Resource: res, Action: Create, Detail: registryDetail(r, s.pullAccounts(r.Name, opts))})
			return nil
		}
		if err := s.createRepository(ctx, r, opts); err != nil {
			return err
		}
		rep.add(Change{Resource: res, Action: Create, Detail: registryDetail(r, nil), Applied: true})
		created = true
		out, err := s.ECR.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{r.Name}})
		if err != nil {
			return fmt.Errorf("repository %q: describe after create: %w", r.Name, err)
		}
		rd = s.readRepository(ctx, r, opts, out)
	}
	if rd.err != nil {
		return rd.err
	}
	apply := created || opts.Repair || (opts.Converge && opts.ours(rd.tags))
	return fixAll(ctx, rep, res, rd.settings, rd.checks, apply, created, opts.DryRun, nil)
}

func registryDetail(r *config.Registry, pull []string) string {
	d := fmt.Sprintf("repository (scan on push %t, immutable tags %t, %s", r.ScanOnPush, r.Immutable, r.Encryption)
	if r.LifecyclePolicy != "" {
		d += ", lifecycle policy"
	}
	if len(pull) > 0 {
		d += ", pull from " + strings.Join(pull, ", ")
	}
	return d + ")"
}

func mutability(immutable bool) ecrtypes.ImageTagMutability {
	if immutable {
		return ecrtypes.ImageTagMutabilityImmutable
	}
	return ecrtypes.ImageTagMutabilityMutable
}

func (s *Session) createRepository(ctx context.Context, r *config.Registry, opts Options) error {
	if opts.BeforeCreate != nil {
		if err := opts.BeforeCreate("ecr:" + r.Name); err != nil {
			return fmt.Errorf("repository %q: before creating it: %w", r.Name, err)
		}
	}
	all := opts.tags()
	for k, v := range r.Tags {
		all[k] = v
	}
	var tags []ecrtypes.Tag
	for _, k := range slices.Sorted(maps.Keys(all)) {
		tags = append(tags, ecrtypes.Tag{Key: aws.String(k), Value: aws.String(all[k])})
	}
	enc := &ecrtypes.EncryptionConfiguration{EncryptionType: ecrtypes.EncryptionTypeAes256}
	if r.Encryption == "KMS" {
		enc = &ecrtypes.EncryptionConfiguration{EncryptionType: ecrtypes.EncryptionTypeKms}
		if r.KMSKey != "" {
			enc.KmsKey = aws.String(r.KMSKey)
		}
	}
	_, err := s.ECR.CreateRepository(ctx, &ecr.CreateRepositoryInput{
		RepositoryName:             aws.String(r.Name),
		ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: r.ScanOnPush},
		ImageTagMutability:         mutability(r.Immutable),
		EncryptionConfiguration:    enc,
		Tags:                       tags,
	})
	if err != nil && !awserr.Is(err, "RepositoryAlreadyExistsException") {
		return fmt.Errorf("create repository %q in %s: %w", r.Name, s.Config.Region, err)
	}
	return nil
}

func (s *Session) repositoryTags(ctx context.Context, arn string) (map[string]string, error) {
	out, err := s.ECR.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("read tags of %s: %w", arn, err)
	}
	tags := map[string]string{}
	for _, t := range out.Tags {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, nil
}

func (s *Session) registrySettings(r *config.Registry, repo ecrtypes.Repository) []setting {
	name := aws.String(r.Name)
	list := []setting{
		{
			name: "scan on push",
			check: func(ctx context.Context) (bool, string, error) {
				got := repo.ImageScanningConfiguration != nil && repo.ImageScanningConfiguration.ScanOnPush
				return got == r.ScanOnPush, fmt.Sprintf("scan on push is %t, want %t", got, r.ScanOnPush), nil
			},
			fix: func(ctx context.Context) error {
				_, err := s.ECR.PutImageScanningConfiguration(ctx, &ecr.PutImageScanningConfigurationInput{RepositoryName: name,
					ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: r.ScanOnPush}})
				return err
			},
		},
		{
			name: "tag mutability",
			check: func(ctx context.Context) (bool, string, error) {
				want := mutability(r.Immutable)
				return repo.ImageTagMutability == want, fmt.Sprintf("tags are %s, want %s", repo.ImageTagMutability, want), nil
			},
			fix: func(ctx context.Context) error {
				_, err := s.ECR.PutImageTagMutability(ctx, &ecr.PutImageTagMutabilityInput{RepositoryName: name, ImageTagMutability: mutability(r.Immutable)})
				return err
			},
		},
		{
			// Encryption is fixed when a repository is created: drift here
			// can only be reported.
			name: "encryption",
			check: func(ctx context.Context) (bool, string, error) {
				got := ecrtypes.EncryptionTypeAes256
				if repo.EncryptionConfiguration != nil {
					got = repo.EncryptionConfiguration.EncryptionType
				}
				want := ecrtypes.EncryptionTypeAes256
				if r.Encryption == "KMS" {
					want = ecrtypes.EncryptionTypeKms
				}
				return got == want, fmt.Sprintf("encrypted with %s, want %s (set when a repository is created; recreate it to change)", got, want), nil
			},
		},
	}
	if r.LifecyclePolicy != "" {
		list = append(list, setting{
			name: "lifecycle policy",
			check: func(ctx context.Context) (bool, string, error) {
				out, err := s.ECR.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: name})
				if awserr.Is(err, "LifecyclePolicyNotFoundException") {
					return false, "no lifecycle policy", nil
				}
				if err != nil {
					return false, "", err
				}
				if sameJSON(aws.ToString(out.LifecyclePolicyText), r.LifecyclePolicy) {
					return true, "", nil
				}
				return false, "the lifecycle policy differs from rebuild.hcl", nil
			},
			fix: func(ctx context.Context) error {
				_, err := s.ECR.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: name, LifecyclePolicyText: aws.String(r.LifecyclePolicy)})
				return err
			},
		})
	}
	return list
}

func sameJSON(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return a == b
	}
	return reflect.DeepEqual(x, y)
}
