package terraform

import (
	"errors"
	"io"
	"os"
	"regexp"
	"strings"
)

// Orphan is a resource an apply could not create because an object of
// that name exists already, outside the stack's state: typically created
// by a run that died (machine and all) before Terraform saved its state.
type Orphan struct {
	Address string // as in the configuration: aws_ssm_parameter.key
	Error   string // the provider's words, one line
}

// alreadyExists matches what the AWS provider and the services say when
// a create finds its object there.
var alreadyExists = regexp.MustCompile(`(?i)already ?exists|AlreadyOwnedByYou|ResourceInUseException|EntityAlreadyExists|ResourceExistsException|RepositoryAlreadyExists`)

// Orphans lists the resources a failed apply (a *StackError) could not
// create because they exist already, from its log's error blocks; none
// for any other error.
func Orphans(err error) []Orphan {
	var se *StackError
	if !errors.As(err, &se) {
		return nil
	}
	lines := se.Lines
	if b, rerr := readTail(se.LogPath); rerr == nil {
		lines = strings.Split(b, "\n")
	}
	return orphansIn(lines)
}

func readTail(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 4<<20))
	text := string(data)
	if i := strings.LastIndex(text, logMarker); i >= 0 {
		text = text[i:]
	}
	return text, err
}

// orphansIn reads Error: blocks ("Error: summary", "with ADDRESS", the
// detail) and keeps those that say the object exists, once per address.
func orphansIn(lines []string) []Orphan {
	var out []Orphan
	seen := map[string]bool{}
	var block []string
	flush := func() {
		defer func() { block = nil }()
		text := strings.Join(block, " ")
		if !alreadyExists.MatchString(text) {
			return
		}
		for _, l := range block {
			if addr, ok := strings.CutPrefix(l, "with "); ok {
				addr = strings.TrimSuffix(strings.TrimSpace(addr), ",")
				if !seen[addr] {
					seen[addr] = true
					out = append(out, Orphan{Address: addr, Error: oneLine(block[0])})
				}
				return
			}
		}
	}
	for _, raw := range lines {
		l := strings.TrimSpace(strings.TrimLeft(raw, "│╷╵ "))
		if strings.HasPrefix(l, "Error:") {
			flush()
		}
		if len(block) > 0 || strings.HasPrefix(l, "Error:") {
			if l != "" {
				block = append(block, l)
			}
		}
	}
	flush()
	return out
}

func oneLine(s string) string {
	s = strings.TrimSpace(strings.TrimPrefix(s, "Error:"))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// importIDs are the attributes whose planned value is the import ID of
// a resource type, for the types a DR stack commonly creates with a name
// chosen in the configuration. A type not listed is adopted by hand.
var importIDs = map[string]string{
	"aws_ssm_parameter":         "name",
	"aws_s3_bucket":             "bucket",
	"aws_dynamodb_table":        "name",
	"aws_ecr_repository":        "name",
	"aws_iam_role":              "name",
	"aws_iam_user":              "name",
	"aws_cloudwatch_log_group":  "name",
	"aws_kms_alias":             "name",
	"aws_lambda_function":       "function_name",
	"aws_ecs_cluster":           "name",
	"aws_sqs_queue":             "url",
	"aws_secretsmanager_secret": "arn",
}

// importID is the import ID of a resource about to be created, from its
// planned values; "" when the type is not known or the value is not (yet).
func importID(typ string, after any) string {
	attr, ok := importIDs[typ]
	if !ok {
		return ""
	}
	m, ok := after.(map[string]any)
	if !ok {
		return ""
	}
	s, _ := m[attr].(string)
	return s
}

// FirstError is the engine's first error line in err ("Error: …"), else
// err's first line: what to quote of a failed command in one line.
func FirstError(err error) string {
	lines := strings.Split(err.Error(), "\n")
	for _, l := range lines {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "Error:") {
			return l
		}
	}
	return lines[0]
}
