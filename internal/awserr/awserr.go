package awserr

import (
	"errors"
	"slices"

	"github.com/aws/smithy-go"
)

// Code is the AWS error code carried anywhere in err's chain, or "" when
// err is nil or did not come from an AWS service.
func Code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// Is reports whether err carries one of the given AWS error codes. A nil
// error or one without a code matches none.
func Is(err error, codes ...string) bool {
	c := Code(err)
	return c != "" && slices.Contains(codes, c)
}
