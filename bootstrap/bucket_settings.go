package bootstrap

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/internal/awserr"
)

const waitLimit = 2 * time.Minute

// DenyInsecureTransportSid names the policy statement tfrebuild owns in a
// state bucket policy; other statements are left as they are.
const DenyInsecureTransportSid = "TfrebuildDenyInsecureTransport"

// setting is one hardened property: check reads it, fix applies it.
type setting struct {
	name  string
	check func(ctx context.Context) (ok bool, detail string, err error)
	fix   func(ctx context.Context) error
}

func (s *Session) bucketSettings(account string, st config.State) []setting {
	b, owner := aws.String(st.Bucket), aws.String(account)
	list := []setting{
		{
			name: "versioning",
			check: func(ctx context.Context) (bool, string, error) {
				out, err := s.S3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b, ExpectedBucketOwner: owner})
				if err != nil {
					return false, "", err
				}
				if out.Status == s3types.BucketVersioningStatusEnabled {
					return true, "", nil
				}
				return false, fmt.Sprintf("versioning is %q, want Enabled", orNone(string(out.Status))), nil
			},
			fix: func(ctx context.Context) error {
				_, err := s.S3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, ExpectedBucketOwner: owner,
					VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
				return err
			},
		},
		{
			name:  "default encryption",
			check: func(ctx context.Context) (bool, string, error) { return s.checkEncryption(ctx, st, owner) },
			fix: func(ctx context.Context) error {
				rule := s3types.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{
					SSEAlgorithm: s3types.ServerSideEncryption(st.Encryption)}}
				if st.Encryption == "aws:kms" {
					rule.BucketKeyEnabled = aws.Bool(true)
					if st.KMSKeyID != "" {
						rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID = aws.String(st.KMSKeyID)
					}
				}
				_, err := s.S3.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b, ExpectedBucketOwner: owner,
					ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{rule}}})
				return err
			},
		},
		{
			name: "public access block",
			check: func(ctx context.Context) (bool, string, error) {
				out, err := s.S3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b, ExpectedBucketOwner: owner})
				if awserr.Is(err, "NoSuchPublicAccessBlockConfiguration") {
					return false, "no public access block", nil
				}
				if err != nil {
					return false, "", err
				}
				c := out.PublicAccessBlockConfiguration
				if c != nil && aws.ToBool(c.BlockPublicAcls) && aws.ToBool(c.BlockPublicPolicy) && aws.ToBool(c.IgnorePublicAcls) && aws.ToBool(c.RestrictPublicBuckets) {
					return true, "", nil
				}
				return false, "not all four public access block settings are on", nil
			},
			fix: func(ctx context.Context) error {
				_, err := s.S3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, ExpectedBucketOwner: owner,
					PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true),
						BlockPublicPolicy: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}})
				return err
			},
		},
		{
			name: "object ownership",
			check: func(ctx context.Context) (bool, string, error) {
				out, err := s.S3.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b, ExpectedBucketOwner: owner})
				if awserr.Is(err, "OwnershipControlsNotFoundError") {
					return false, "no ownership controls", nil
				}
				if err != nil {
					return false, "", err
				}
				if oc := out.OwnershipControls; oc != nil && len(oc.Rules) == 1 && oc.Rules[0].ObjectOwnership == s3types.ObjectOwnershipBucketOwnerEnforced {
					return true, "", nil
				}
				return false, "object ownership is not BucketOwnerEnforced", nil
			},
			fix: func(ctx context.Context) error {
				_, err := s.S3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b, ExpectedBucketOwner: owner,
					OwnershipControls: &s3types.OwnershipControls{Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced}}}})
				return err
			},
		},
	}
	if st.DenyInsecureTransport {
		list = append(list, setting{
			name: "deny-insecure-transport policy",
			check: func(ctx context.Context) (bool, string, error) {
				doc, err := s.bucketPolicy(ctx, b, owner)
				if err != nil {
					return false, "", err
				}
				if doc.has(DenyInsecureTransportSid) {
					return true, "", nil
				}
				return false, "the bucket policy does not deny plain-HTTP access", nil
			},
			fix: func(ctx context.Context) error {
				doc, err := s.bucketPolicy(ctx, b, owner)
				if err != nil {
					return err
				}
				doc.put(DenyInsecureTransportStatement(st.Bucket))
				text, err := json.Marshal(doc)
				if err != nil {
					return err
				}
				_, err = s.S3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, ExpectedBucketOwner: owner, Policy: aws.String(string(text))})
				return err
			},
		})
	}
	return list
}

func (s *Session) checkEncryption(ctx context.Context, st config.State, owner *string) (bool, string, error) {
	out, err := s.S3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(st.Bucket), ExpectedBucketOwner: owner})
	if awserr.Is(err, "ServerSideEncryptionConfigurationNotFoundError") {
		return false, "no default encryption", nil
	}
	if err != nil {
		return false, "", err
	}
	if c := out.ServerSideEncryptionConfiguration; c != nil {
		for _, r := range c.Rules {
			d := r.ApplyServerSideEncryptionByDefault
			if d == nil || string(d.SSEAlgorithm) != st.Encryption {
				continue
			}
			if st.KMSKeyID == "" || aws.ToString(d.KMSMasterKeyID) == st.KMSKeyID {
				return true, "", nil
			}
		}
	}
	return false, "default encryption is not " + st.Encryption, nil
}

// policyDoc is an IAM policy document with its statements kept verbatim,
// so that merging ours in drops nothing of anyone else's.
type policyDoc struct {
	Version   string            `json:"Version"`
	Statement []json.RawMessage `json:"Statement"`
}

func (s *Session) bucketPolicy(ctx context.Context, bucket, owner *string) (*policyDoc, error) {
	out, err := s.S3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: bucket, ExpectedBucketOwner: owner})
	if awserr.Is(err, "NoSuchBucketPolicy") {
		return &policyDoc{Version: "2012-10-17"}, nil
	}
	if err != nil {
		return nil, err
	}
	return parsePolicy(aws.ToString(out.Policy), "bucket policy")
}

func parsePolicy(text, what string) (*policyDoc, error) {
	doc := &policyDoc{}
	if err := json.Unmarshal([]byte(text), doc); err != nil {
		return nil, fmt.Errorf("parse the existing %s: %w", what, err)
	}
	if doc.Version == "" {
		doc.Version = "2012-10-17"
	}
	return doc, nil
}

func (d *policyDoc) index(sid string) int {
	for i, raw := range d.Statement {
		var st struct{ Sid string }
		if json.Unmarshal(raw, &st) == nil && st.Sid == sid {
			return i
		}
	}
	return -1
}

func (d *policyDoc) has(sid string) bool { return d.index(sid) >= 0 }

func (d *policyDoc) remove(sid string) {
	if i := d.index(sid); i >= 0 {
		d.Statement = append(d.Statement[:i], d.Statement[i+1:]...)
	}
}

func (d *policyDoc) put(stmt json.RawMessage) {
	var st struct{ Sid string }
	_ = json.Unmarshal(stmt, &st)
	if i := d.index(st.Sid); i >= 0 {
		d.Statement[i] = stmt
		return
	}
	d.Statement = append(d.Statement, stmt)
}

// DenyInsecureTransportStatement is the statement that refuses any request
// to the bucket that does not use TLS.
func DenyInsecureTransportStatement(bucket string) json.RawMessage {
	stmt := map[string]any{
		"Sid":       DenyInsecureTransportSid,
		"Effect":    "Deny",
		"Principal": "*",
		"Action":    "s3:*",
		"Resource":  []string{"arn:aws:s3:::" + bucket, "arn:aws:s3:::" + bucket + "/*"},
		"Condition": map[string]any{"Bool": map[string]string{"aws:SecureTransport": "false"}},
	}
	b, _ := json.Marshal(stmt)
	return b
}

func orNone(s string) string {
	if s == "" {
		return "never enabled"
	}
	return s
}
