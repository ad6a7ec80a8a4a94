package awserr

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/smithy-go"
)

func TestAdviceByClass(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err   error
		class string
	}{
		{fmt.Errorf("create table: %w", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "User: x is not authorized"}), "access denied"},
		{&smithy.GenericAPIError{Code: "ThrottlingException"}, "throttling"},
		{&smithy.GenericAPIError{Code: "ExpiredToken"}, "expired credentials"},
		{&smithy.GenericAPIError{Code: "SourceTableNotFoundException"}, "not found"},
		{&smithy.GenericAPIError{Code: "LimitExceededException"}, "limit"},
		{errors.New("terraform apply failed:\n Error: creating IAM Role: AccessDenied: User: arn:aws:sts::1:assumed-role/x is not authorized to perform: iam:CreateRole"), "access denied"},
		{errors.New("terraform apply failed: SlowDown: Please reduce your request rate."), "throttling"},
		{errors.New("boom"), ""},
		{nil, ""},
	} {
		if got := Class(tc.err); got != tc.class {
			t.Errorf("Class(%v) = %q, want %q", tc.err, got, tc.class)
		}
		if (Advice(tc.err) == "") != (tc.class == "") {
			t.Errorf("Advice(%v) = %q", tc.err, Advice(tc.err))
		}
	}
}
