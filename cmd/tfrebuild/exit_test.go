package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

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
