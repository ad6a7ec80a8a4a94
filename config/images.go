package config

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// An image tag as ECR takes it, with '*' allowed as a wildcard.
var imageTagRe = regexp.MustCompile(`^[A-Za-z0-9_*][A-Za-z0-9_.*-]{0,127}$`)

// decodeImages reads a registry's images and images_source, each
// problem at the place it is written.
func (p *parser) decodeImages(r *Registry, images, source *hcl.Attribute) {
	if images != nil {
		exprs, diags := hcl.ExprList(images.Expr)
		if diags.HasErrors() {
			p.add(errorAt(images.Expr.Range(), "Invalid images", `images must be a list of tags: ["v1.2.3", "release-*"].`))
		}
		for _, e := range exprs {
			v, d := e.Value(literalContext)
			if d.HasErrors() {
				p.add(scrub(d)...)
				continue
			}
			s, err := convertString(v)
			if err == nil {
				s, err = imageTag(r.Name, s)
			}
			if err != nil {
				p.add(errorAt(e.Range(), "Invalid images", fmt.Sprintf("registry %q: %v.", r.Label, err)))
				continue
			}
			r.Images = append(r.Images, s)
			r.ImageRanges = append(r.ImageRanges, e.Range())
		}
	}
	if source != nil {
		s := p.str(source)
		if s == "" {
			return
		}
		src, err := parseImageSource(s)
		if err != nil {
			p.add(errorAt(source.Expr.Range(), "Invalid images_source", fmt.Sprintf("registry %q: %v.", r.Label, err)))
			return
		}
		src.Range = source.Expr.Range()
		r.ImagesSource = src
	}
}

// imageTag is the tag of an images entry: "TAG", or "NAME:TAG" where NAME
// is the repository's own name.
func imageTag(repo, s string) (string, error) {
	tag := s
	if i := strings.LastIndex(s, ":"); i >= 0 {
		if s[:i] != repo {
			return "", fmt.Errorf("%q names repository %q, but this registry is %q: write the tag alone (%q)", s, s[:i], repo, s[i+1:])
		}
		tag = s[i+1:]
	}
	if !imageTagRe.MatchString(tag) {
		return "", fmt.Errorf("%q is not an image tag (letters, digits, '_', '.', '-', up to 128, '*' as a wildcard)", tag)
	}
	return tag, nil
}

// parseImageSource reads an ECR repository URI
// (ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME) or ARN
// (arn:aws:ecr:REGION:ACCOUNT:repository/NAME).
func parseImageSource(s string) (*ImageSource, error) {
	var src ImageSource
	if rest, ok := strings.CutPrefix(s, "arn:"); ok {
		parts := strings.SplitN(rest, ":", 5)
		if len(parts) != 5 || parts[1] != "ecr" || !strings.HasPrefix(parts[4], "repository/") {
			return nil, fmt.Errorf("%q is not an ECR repository ARN (arn:aws:ecr:REGION:ACCOUNT:repository/NAME)", s)
		}
		src = ImageSource{Region: parts[2], RegistryID: parts[3], Name: strings.TrimPrefix(parts[4], "repository/")}
	} else {
		host, name, ok := strings.Cut(s, "/")
		labels := strings.Split(host, ".")
		if !ok || len(labels) < 6 || labels[1] != "dkr" || labels[2] != "ecr" {
			return nil, fmt.Errorf("%q is not an ECR repository URI (ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME) or ARN", s)
		}
		src = ImageSource{RegistryID: labels[0], Region: labels[3], Name: name}
	}
	for _, err := range []error{validAccountID(src.RegistryID), validRegion(src.Region), validRepositoryName(src.Name)} {
		if err != nil {
			return nil, fmt.Errorf("images_source %q: %v", s, err)
		}
	}
	return &src, nil
}
