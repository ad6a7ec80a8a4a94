package terraform

import (
	"fmt"
	"sort"
	"strings"
)

// Backend is where a stack's state lives: the bootstrapped bucket, a key of
// its own, and the lock table or S3-native lock file.
type Backend struct {
	Bucket      string
	Key         string
	Region      string
	LockTable   string
	UseLockfile bool
	KMSKeyID    string
	RoleARN     string
	ExternalID  string
	// Profile and SharedCredentialsFiles point the backend at a profile of
	// a credentials file, for a state in another account than the one
	// whose credentials Terraform's environment holds. The file holds the
	// secrets; the backend settings only its path.
	Profile                string
	SharedCredentialsFiles []string
	// Endpoints are overrides by service (s3, dynamodb, sts, iam), taken
	// from AWS_ENDPOINT_URL*; with any set, path-style addressing is used
	// and the checks that need real AWS are skipped.
	Endpoints map[string]string
}

// StateKey is the state object key of a stack.
func StateKey(project, stack string) string {
	return project + "/" + stack + "/terraform.tfstate"
}

// HCL renders the backend settings as a -backend-config file. A file, not
// command-line flags, so that nothing shows up in ps and nested values
// (endpoints, assume_role) are expressible.
func (b Backend) HCL() string {
	var sb strings.Builder
	kv := func(k string, v any) {
		switch v := v.(type) {
		case string:
			fmt.Fprintf(&sb, "%s = %q\n", k, v)
		default:
			fmt.Fprintf(&sb, "%s = %v\n", k, v)
		}
	}
	kv("bucket", b.Bucket)
	kv("key", b.Key)
	kv("region", b.Region)
	kv("encrypt", true)
	if b.KMSKeyID != "" {
		kv("kms_key_id", b.KMSKeyID)
	}
	if b.LockTable != "" {
		kv("dynamodb_table", b.LockTable)
	}
	if b.UseLockfile {
		kv("use_lockfile", true)
	}
	if b.RoleARN != "" {
		sb.WriteString("assume_role = {\n")
		fmt.Fprintf(&sb, "  role_arn     = %q\n  session_name = \"tfrebuild\"\n", b.RoleARN)
		if b.ExternalID != "" {
			fmt.Fprintf(&sb, "  external_id  = %q\n", b.ExternalID)
		}
		sb.WriteString("}\n")
	}
	if b.Profile != "" {
		kv("profile", b.Profile)
	}
	if len(b.SharedCredentialsFiles) > 0 {
		quoted := make([]string, len(b.SharedCredentialsFiles))
		for i, f := range b.SharedCredentialsFiles {
			quoted[i] = fmt.Sprintf("%q", f)
		}
		fmt.Fprintf(&sb, "shared_credentials_files = [%s]\n", strings.Join(quoted, ", "))
	}
	if len(b.Endpoints) > 0 {
		sb.WriteString("endpoints = {\n")
		keys := make([]string, 0, len(b.Endpoints))
		for k := range b.Endpoints {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&sb, "  %s = %q\n", k, b.Endpoints[k])
		}
		sb.WriteString("}\n")
		kv("use_path_style", true)
		kv("skip_credentials_validation", true)
		kv("skip_requesting_account_id", true)
		kv("skip_metadata_api_check", true)
		kv("skip_region_validation", true)
		kv("skip_s3_checksum", true)
	}
	return sb.String()
}
