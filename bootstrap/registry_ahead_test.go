package bootstrap

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/smithy-go/middleware"

	"github.com/tfrebuild/tfrebuild/config"
)

// A repository described ahead (while the identity is checked) is not
// described again by the registries stage; one not found ahead is, and a
// repository created since is then found, not created a second time; a
// description ahead is used once.
func TestRegistriesDescribedAheadAreUsedOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := session(t, nil)
	api := &config.Registry{Name: "ahead-api", Encryption: "AES256"}
	if _, err := s.EnsureRegistries(ctx, []*config.Registry{api}, Options{Project: "ahead"}); err != nil {
		t.Fatal(err)
	}
	var describes atomic.Int32
	s.ECR = ecr.NewFromConfig(s.Config, func(o *ecr.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("count-describes",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					if _, ok := in.Parameters.(*ecr.DescribeRepositoriesInput); ok {
						describes.Add(1)
					}
					return next.HandleInitialize(ctx, in)
				}), middleware.After)
		})
	})
	s.DescribeAhead(ctx, []string{"ahead-api", "ahead-late"})
	for _, d := range s.described.reads {
		<-d.done
	}
	// Created by someone else after it was described ahead as missing.
	if _, err := s.ECR.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("ahead-late")}); err != nil {
		t.Fatal(err)
	}
	describes.Store(0)
	regs := []*config.Registry{api, {Name: "ahead-late", Encryption: "AES256"}}
	rep, err := s.EnsureRegistries(ctx, regs, Options{Project: "ahead", DriftLater: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range rep.Changes {
		if ch.Action == Create {
			t.Errorf("created %s, which exists", ch.Resource)
		}
	}
	if n := describes.Load(); n != 1 {
		t.Errorf("the stage described %d repositories, want 1 (the one not found ahead)", n)
	}
	describes.Store(0)
	if _, err := s.EnsureRegistries(ctx, regs, Options{Project: "ahead", DriftLater: true}); err != nil {
		t.Fatal(err)
	}
	if n := describes.Load(); n != 2 {
		t.Errorf("a second stage described %d repositories, want 2: a read ahead is used once", n)
	}
}
