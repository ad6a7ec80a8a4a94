package bootstrap

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// RetryReporter receives a line for each AWS call the SDK retries, such as
// "retrying STS GetCallerIdentity (attempt 2/8): ... connection refused".
type RetryReporter func(msg string)

type retryReporterKey struct{}

// WithRetryReporter makes the AWS calls made with ctx report their retries
// to f: an emulator or endpoint that is down otherwise shows as minutes of
// silence while the SDK backs off.
func WithRetryReporter(ctx context.Context, f RetryReporter) context.Context {
	return context.WithValue(ctx, retryReporterKey{}, f)
}

func reporterOf(ctx context.Context) RetryReporter {
	f, _ := ctx.Value(retryReporterKey{}).(RetryReporter)
	return f
}

// attemptsOf is the attempt count of cfg's retryer.
func attemptsOf(cfg aws.Config) int {
	if cfg.Retryer != nil {
		if r := cfg.Retryer(); r != nil && r.MaxAttempts() > 0 {
			return r.MaxAttempts()
		}
	}
	return maxAttempts
}

// attempts counts one operation's attempts and keeps the last one's error.
type attempts struct {
	mu   sync.Mutex
	n    int
	last error
}

type attemptsKey struct{}

// retryReport adds two middlewares to every operation: one that starts a
// count per call (initialize step, once per call), and one inside the
// SDK's retry loop (finalize step, after "Retry", once per attempt) that,
// from the second attempt on, reports the retry and the error before it.
func retryReport(max int) func(*middleware.Stack) error {
	return func(st *middleware.Stack) error {
		start := middleware.InitializeMiddlewareFunc("tfrebuildRetryCount", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			if reporterOf(ctx) != nil {
				ctx = context.WithValue(ctx, attemptsKey{}, &attempts{})
			}
			return next.HandleInitialize(ctx, in)
		})
		each := middleware.FinalizeMiddlewareFunc("tfrebuildRetryReport", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			a, _ := ctx.Value(attemptsKey{}).(*attempts)
			if a == nil {
				return next.HandleFinalize(ctx, in)
			}
			a.mu.Lock()
			a.n++
			n, last := a.n, a.last
			a.mu.Unlock()
			if n > 1 {
				reporterOf(ctx)(fmt.Sprintf("retrying %s %s (attempt %d/%d): %v",
					awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx), n, max, last))
			}
			out, md, err := next.HandleFinalize(ctx, in)
			a.mu.Lock()
			a.last = err
			a.mu.Unlock()
			return out, md, err
		})
		if err := st.Initialize.Add(start, middleware.Before); err != nil {
			return err
		}
		if _, ok := st.Finalize.Get("Retry"); ok {
			return st.Finalize.Insert(each, "Retry", middleware.After)
		}
		return st.Finalize.Add(each, middleware.After)
	}
}
