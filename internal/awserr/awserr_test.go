package awserr

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/smithy-go"
)

func TestCodeAndIs(t *testing.T) {
	t.Parallel()
	api := &smithy.GenericAPIError{Code: "NoSuchBucket", Message: "The specified bucket does not exist"}
	wrapped := fmt.Errorf("state bucket %q: %w", "b", api)
	joined := errors.Join(errors.New("other"), wrapped)
	for _, tc := range []struct {
		name  string
		err   error
		code  string
		is    []string
		match bool
	}{
		{"nil", nil, "", []string{""}, false},
		{"plain error", errors.New("NoSuchBucket"), "", []string{"NoSuchBucket"}, false},
		{"api error", api, "NoSuchBucket", []string{"NotFound", "NoSuchBucket"}, true},
		{"wrapped", wrapped, "NoSuchBucket", []string{"NoSuchBucket"}, true},
		{"joined", joined, "NoSuchBucket", []string{"NoSuchBucket"}, true},
		{"other code", api, "NoSuchBucket", []string{"NoSuchKey"}, false},
		{"no codes asked", api, "NoSuchBucket", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Code(tc.err); got != tc.code {
				t.Errorf("Code = %q, want %q", got, tc.code)
			}
			if got := Is(tc.err, tc.is...); got != tc.match {
				t.Errorf("Is(%v) = %t, want %t", tc.is, got, tc.match)
			}
		})
	}
}
