package awserr

import (
	"regexp"
)

// A class of AWS error and what a person does about it.
type class struct {
	name  string
	codes *regexp.Regexp // matched against the error code, or the error's text
	next  string
}

var classes = []class{
	{"expired credentials", regexp.MustCompile(`ExpiredToken(Exception)?|RequestExpired|InvalidClientTokenId|security token included in the request is expired`),
		"the credentials expired or are not valid: renew them (aws sso login, or a new session for the role) and run the same command again; a resume continues where this run stopped"},
	{"access denied", regexp.MustCompile(`AccessDenied(Exception)?|UnauthorizedOperation|UnrecognizedClientException|AuthorizationError|is not authorized to perform`),
		"the credentials in use may not do this: the message names the action and the resource; add it to the policy of the role or user the run uses in that account (aws sts get-caller-identity shows which), then run the same command again"},
	{"throttling", regexp.MustCompile(`Throttl(ing|ed)(Exception)?|TooManyRequests(Exception)?|RequestLimitExceeded|SlowDown|Rate exceeded|ProvisionedThroughputExceeded`),
		"AWS throttled the requests and the retries ran out: run the same command again in a minute (what is done is not redone), and if it recurs ask AWS for a higher quota or lower --parallelism"},
	{"limit", regexp.MustCompile(`LimitExceeded(Exception)?|ServiceQuotaExceeded|TooManyBuckets`),
		"an account quota is used up: raise it in Service Quotas (or delete what is no longer needed), then run the same command again"},
	{"not found", regexp.MustCompile(`NoSuchBucket|NoSuchKey|ResourceNotFound(Exception)?|SourceTableNotFound(Exception)?|TableNotFound(Exception)?|BackupNotFound(Exception)?|RepositoryNotFound(Exception)?|ParameterNotFound`),
		"something the run reads does not exist where it looks: check the name, account and region in the config (a restore's source, a bucket, a table), then run the same command again"},
}

// Advice is what to do about an AWS error, by its class ("" for an error
// of no known class): the code an AWS service returned when err carries
// one, else the AWS error codes its text quotes (Terraform's output).
func Advice(err error) string {
	if err == nil {
		return ""
	}
	if c := Code(err); c != "" {
		for _, k := range classes {
			if k.codes.MatchString(c) {
				return k.next
			}
		}
	}
	text := err.Error()
	for _, k := range classes {
		if k.codes.MatchString(text) {
			return k.next
		}
	}
	return ""
}

// Class names an error's class, for tests and events: "throttling",
// "access denied", …; "" for none.
func Class(err error) string {
	next := Advice(err)
	for _, k := range classes {
		if k.next == next && next != "" {
			return k.name
		}
	}
	return ""
}
