package readiness

import (
	"context"
	"fmt"
	"path"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/internal/cmdline"
)

// Repo names an ECR repository: RegistryID and Region empty for the
// session's own account and region.
type Repo struct {
	RegistryID, Region, Name string
}

// ImageLister lists the image tags of a repository (ECR DescribeImages);
// exists is false when the repository does not exist.
type ImageLister interface {
	Tags(ctx context.Context, repo Repo) (tags []string, exists bool, err error)
}

// CheckImages checks that each image a registry declares is in the
// target repository or in its declared source, one check per image.
func CheckImages(ctx context.Context, l ImageLister, reg *config.Registry, a bootstrap.Account) []Check {
	if len(reg.Images) == 0 {
		return nil
	}
	target, targetExists, targetErr := l.Tags(ctx, Repo{Name: reg.Name})
	var source []string
	var sourceErr error
	if s := reg.ImagesSource; s != nil {
		source, _, sourceErr = l.Tags(ctx, Repo{RegistryID: s.RegistryID, Region: s.Region, Name: s.Name})
	}
	var out []Check
	for i, tag := range reg.Images {
		c := Check{Name: "image." + reg.Label + ":" + tag}
		where := fmt.Sprintf("%s:%d", reg.ImageRanges[i].Filename, reg.ImageRanges[i].Start.Line)
		switch {
		case targetErr != nil:
			c.Verdict, c.Found = Fail, fmt.Sprintf("list the images of repository %q: %v", reg.Name, targetErr)
			c.Do = cmdline.AWS(a.CLI(), "ecr", "describe-images", "--repository-name", reg.Name)
		case matches(target, tag) != "":
			c.Verdict, c.Found = OK, fmt.Sprintf("%s:%s is in the target repository", reg.Name, matches(target, tag))
		case reg.ImagesSource != nil && sourceErr == nil && matches(source, tag) != "":
			got := matches(source, tag)
			c.Verdict = Warn
			c.Found = fmt.Sprintf("%s:%s is not in the target repository%s, only in its source %s: copy it after the registries stage",
				reg.Name, got, missingNote(targetExists), reg.ImagesSource)
			c.Do = copyCommand(reg, got, a)
		default:
			c.Verdict = Fail
			c.Found = fmt.Sprintf("no image %s:%s in the target repository%s%s (declared at %s)", reg.Name, tag, missingNote(targetExists), sourceNote(reg, sourceErr), where)
			c.Do = fmt.Sprintf("docker push %s.dkr.ecr.%s.amazonaws.com/%s:%s (or remove it from images at %s)", a.ID, a.Region, reg.Name, tag, where)
		}
		out = append(out, c)
	}
	return out
}

// matches returns the first tag that tag (maybe a pattern) matches.
func matches(tags []string, tag string) string {
	for _, t := range tags {
		if ok, _ := path.Match(tag, t); ok {
			return t
		}
	}
	return ""
}

func missingNote(exists bool) string {
	if exists {
		return ""
	}
	return " (it does not exist yet)"
}

func sourceNote(reg *config.Registry, err error) string {
	switch {
	case reg.ImagesSource == nil:
		return ""
	case err != nil:
		return fmt.Sprintf(" and its source %s could not be read: %v", reg.ImagesSource, err)
	}
	return " nor in its source " + reg.ImagesSource.String()
}

// copyCommand copies an image from the source repository into the
// target one (crane copies between registries without a local daemon).
func copyCommand(reg *config.Registry, tag string, a bootstrap.Account) string {
	return fmt.Sprintf("crane copy %s:%s %s.dkr.ecr.%s.amazonaws.com/%s:%s", reg.ImagesSource, tag, a.ID, a.Region, reg.Name, tag)
}

func (r runner) images() []Check {
	if r.d.Images == nil {
		return nil
	}
	var out []Check
	for _, reg := range r.cfg.Registries {
		if len(reg.Images) == 0 {
			continue
		}
		l, a, c := in(r, "image."+reg.Label, reg.Account, r.d.Images)
		if c != nil {
			out = append(out, *c)
			continue
		}
		out = append(out, CheckImages(r.ctx, l, reg, a)...)
	}
	return out
}
