package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/events"
	"github.com/tfrebuild/tfrebuild/history"
	"github.com/tfrebuild/tfrebuild/internal/awserr"
	"github.com/tfrebuild/tfrebuild/outcome"
	"github.com/tfrebuild/tfrebuild/readiness"
	"github.com/tfrebuild/tfrebuild/rebuild"
	"github.com/tfrebuild/tfrebuild/restore"
	"github.com/tfrebuild/tfrebuild/stages"
	"github.com/tfrebuild/tfrebuild/terraform"
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
		Engine: func(ctx context.Context) []readiness.Check { return engineChecks(ctx, cfg) },
		Predict: func(ctx context.Context) (history.Prediction, error) {
			return predictRTO(ctx, cfg)
		},
	}
	if plan {
		d.Planned = func(ctx context.Context) ([]readiness.PlannedBucket, error) { return plannedBuckets(ctx, env, cfg) }
	}
	return d, nil
}

// engineChecks: the pinned engine installed (nothing downloaded), and
// every provider of the stacks' lock files in a mirror or plugin cache.
func engineChecks(ctx context.Context, cfg *config.Config) []readiness.Check {
	name := cfg.Terraform.EngineName()
	find := func(ctx context.Context) (string, string, error) {
		bin, err := terraform.FindEngine(ctx, terraform.Engine{Name: name, Version: cfg.Terraform.Version, Path: cfg.Terraform.Path}, terraform.InstalledOnly)
		if err != nil {
			return "", "", err
		}
		return bin.Path, bin.Version, nil
	}
	out := []readiness.Check{readiness.CheckEngine(ctx, find, name, cfg.Terraform.Version)}
	dirs := map[string]string{}
	for _, s := range cfg.Stacks {
		dirs[s.Name] = s.SourceDir
	}
	list, missing, err := readiness.LockedProviders(dirs)
	if err != nil {
		return append(out, readiness.Check{Name: "providers", Verdict: readiness.Fail, Found: err.Error()})
	}
	cli := os.Getenv("TF_CLI_CONFIG_FILE")
	if cli == "" {
		if home, err := os.UserHomeDir(); err == nil {
			cli = filepath.Join(home, ".terraformrc")
		}
	}
	pd, err := readiness.CLIProviderDirs(cli, os.Getenv("TF_PLUGIN_CACHE_DIR"), filepath.Join(cfg.StateDir(), "plugin-cache"))
	if err != nil {
		return append(out, readiness.Check{Name: "providers", Verdict: readiness.Fail, Found: err.Error(), Do: "fix " + cli})
	}
	return append(out, readiness.CheckProviders(list, missing, pd)...)
}

// predictRTO is the history's prediction for a rebuild of every stack.
func predictRTO(ctx context.Context, cfg *config.Config) (history.Prediction, error) {
	p, err := stages.Build(cfg, nil)
	if err != nil {
		return history.Prediction{}, err
	}
	h, err := openHistory(ctx, cfg)
	if err != nil {
		return history.Prediction{}, err
	}
	list, err := h.List(ctx, 0)
	if err != nil {
		return history.Prediction{}, err
	}
	return history.Predict(history.Nodes(p), list), nil
}

// plannedBuckets plans the stacks as plan does (read-only) and lists the
// S3 buckets the plans would create, by their bucket attribute.
// Readiness writes nothing anywhere: the plans' working copies and data
// dirs go to a folder of their own, removed afterwards, never the
// config's state folder.
func plannedBuckets(ctx context.Context, env *cliEnv, cfg *config.Config) ([]readiness.PlannedBucket, error) {
	tmp, err := os.MkdirTemp("", "tfrebuild-readiness-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	apart := *cfg
	apart.Dir = tmp // StateDir is Dir's
	cfg = &apart
	progress := newProgress(env, env.stderr, false)
	rep, err := rebuild.Plan(ctx, cfg, rebuild.PlanOptions{Common: rebuild.Common{Parallelism: 4, Sinks: []events.Sink{progress}, Deps: wired(), Mode: "readiness"}})
	progress.Close()
	if rep == nil {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("the plan failed for %s: %w", strings.Join(rep.Failed(), ", "), err)
	}
	var out []readiness.PlannedBucket
	for _, st := range rep.Stages {
		name, ok := strings.CutPrefix(st.Name, "stack.")
		if !ok {
			continue
		}
		account := ""
		if s := cfg.Stack(name); s != nil {
			account = s.Account
		}
		for _, a := range st.Actions {
			if b := createdBucket(a); b != "" {
				out = append(out, readiness.PlannedBucket{Stack: name, Address: a.Address, Bucket: b, Account: account})
			}
		}
	}
	return out, nil
}

// createdBucket is the name of the S3 bucket a planned action creates,
// or "" (not a bucket, not created, or its name unknown until apply).
func createdBucket(a outcome.PlanAction) string {
	if a.Action != "create" && a.Action != "replace" {
		return ""
	}
	parts := strings.Split(a.Address, ".")
	isBucket := false
	for i := 0; i+1 < len(parts); i++ {
		if parts[i] == "aws_s3_bucket" {
			isBucket = true
		}
	}
	if !isBucket {
		return ""
	}
	for _, at := range a.Attrs {
		if at.Path == "bucket" {
			if v, err := strconv.Unquote(at.After); err == nil {
				return v
			}
		}
	}
	return ""
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
