package config

import (
	"strings"
	"testing"
)

func TestRegistryImages(t *testing.T) {
	t.Parallel()
	cfg, diags := parseHere(t, validHeader+validStacks+`
registry "api" {
  name          = "profile-api"
  images        = ["v1.2.3", "profile-api:worker-*"]
  images_source = "210987654321.dkr.ecr.eu-west-1.amazonaws.com/profile-api"
}
registry "web" {
  images_source = "arn:aws:ecr:us-east-1:210987654321:repository/team/web"
}
`)
	if diags.HasErrors() {
		t.Fatalf("unexpected diagnostics:\n%s", DiagnosticsError(diags))
	}
	api, web := cfg.Registries[0], cfg.Registries[1]
	if strings.Join(api.Images, ",") != "v1.2.3,worker-*" || len(api.ImageRanges) != 2 || api.ImageRanges[1].Start.Line == 0 {
		t.Errorf("images: %v %v", api.Images, api.ImageRanges)
	}
	if s := api.ImagesSource; s == nil || s.RegistryID != "210987654321" || s.Region != "eu-west-1" || s.Name != "profile-api" ||
		s.String() != "210987654321.dkr.ecr.eu-west-1.amazonaws.com/profile-api" {
		t.Errorf("images_source: %+v", api.ImagesSource)
	}
	if s := web.ImagesSource; s == nil || s.Region != "us-east-1" || s.Name != "team/web" {
		t.Errorf("ARN images_source: %+v", web.ImagesSource)
	}
}

func TestRegistryImagesInvalid(t *testing.T) {
	t.Parallel()
	cases := []struct{ body, want string }{
		{`images = ["v1", "other:v2"]`, `rebuild.hcl:29:19: Invalid images: registry "api": "other:v2" names repository "other"`},
		{`images = ["v 1"]`, `rebuild.hcl:29:13: Invalid images: registry "api": "v 1" is not an image tag`},
		{`images = "v1"`, `rebuild.hcl:29:12: Invalid images`},
		{`images_source = "quay.io/x/y"`, `rebuild.hcl:29:19: Invalid images_source: registry "api": "quay.io/x/y" is not an ECR repository URI`},
		{`images_source = "12345.dkr.ecr.eu-west-1.amazonaws.com/api"`, `rebuild.hcl:29:19: Invalid images_source`},
	}
	for _, c := range cases {
		_, diags := parseHere(t, validHeader+validStacks+"registry \"api\" {\n  "+c.body+"\n}\n")
		if err := DiagnosticsError(diags); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.body, err)
		}
	}
}
