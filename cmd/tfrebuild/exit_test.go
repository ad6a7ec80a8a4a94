package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/tfrebuild/tfrebuild/lease"
	"github.com/tfrebuild/tfrebuild/stages"
)

func TestExitCodesAreDecidedInOnePlace(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		code int
	}{
		{nil, exitOK},
		{errHelp, exitOK},
		{errChangesPending, exitChanges},
		{fmt.Errorf("apply: %w", stages.ErrWaiting), exitWaiting},
		{errors.Join(errors.New("stack.a: interrupted"), context.Canceled), exitInterrupted},
		// A run that lost its lease stopped itself: a failure, not an interrupt,
		// although its stages were cancelled.
		{errors.Join(fmt.Errorf("stack.a: interrupted: %w", context.Canceled),
			fmt.Errorf("run interrupted: %w", &lease.LostError{Where: "dynamodb:t/lease", Reason: "its heartbeat failed for 1m30s"})), exitFailure},
		{errors.New("boom"), exitFailure},
		{&usageError{msg: "bad flag", hint: "tfrebuild apply --help"}, exitFailure},
	} {
		var stderr bytes.Buffer
		if got := exitCode(tc.err, &stderr); got != tc.code {
			t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.code)
		}
		if u := (*usageError)(nil); errors.As(tc.err, &u) && !strings.Contains(stderr.String(), "Try: tfrebuild apply --help") {
			t.Errorf("usage error without its hint: %q", stderr.String())
		}
	}
}

// An AWS error's class says what next, after the error itself.
func TestExitSaysWhatNextForAnAWSErrorClass(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	err := fmt.Errorf("state: create lock table: %w", &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"})
	if code := exitCode(err, &stderr); code != exitFailure || !strings.Contains(stderr.String(), "What next: AWS throttled the requests and the retries ran out") {
		t.Errorf("exit %d:\n%s", code, stderr.String())
	}
	stderr.Reset()
	exitCode(errors.New("config: bad"), &stderr)
	if strings.Contains(stderr.String(), "What next") {
		t.Errorf("a what-next for an error of no AWS class:\n%s", stderr.String())
	}
}
