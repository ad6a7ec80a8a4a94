package config

import (
	"fmt"
	"regexp"
	"time"

	"github.com/hashicorp/hcl/v2"
)

var (
	backupARNRe = regexp.MustCompile(`^arn:aws[a-z-]*:dynamodb:([a-z0-9-]+):([0-9]{12}):table/([A-Za-z0-9_.-]{3,255})/backup/[A-Za-z0-9-]+$`)
	addressRe   = regexp.MustCompile(`^(?:module\.[A-Za-z_][A-Za-z0-9_-]*(?:\[(?:[0-9]+|"[^"]*")\])?\.)*([A-Za-z_][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_-]*)(?:\[(?:[0-9]+|"[^"]*")\])?$`)
	// restoreType is the Terraform resource type each kind imports into.
	restoreType = map[string]string{RestoreDynamoDB: "aws_dynamodb_table", RestoreS3: "aws_s3_bucket"}
)

var restoreSchema = []hcl.AttributeSchema{
	{Name: "dynamodb_table"}, {Name: "s3_bucket"}, {Name: "from", Required: true},
	{Name: "backup_arn"}, {Name: "point_in_time"}, {Name: "source_table"}, {Name: "source_bucket"},
	{Name: "source_region"}, {Name: "stack", Required: true}, {Name: "address", Required: true},
	{Name: "source_account_id"}, {Name: "keep_newer"},
}

func (p *parser) decodeRestore(b *hcl.Block) {
	a := p.content(b, restoreSchema)
	r := &Restore{Name: b.Labels[0], Range: b.DefRange, StackRange: b.DefRange, AddressRange: b.DefRange}
	table, bucket := a["dynamodb_table"], a["s3_bucket"]
	switch {
	case table != nil && bucket != nil:
		p.add(errorAt(bucket.NameRange, "Conflicting restore targets",
			fmt.Sprintf("restore %q sets both dynamodb_table and s3_bucket; one restore brings back one table or one bucket.", r.Name)))
		return
	case table != nil:
		r.Kind, r.DynamoDBTable = RestoreDynamoDB, p.str(table)
		p.check(table, r.DynamoDBTable, validTableName)
	case bucket != nil:
		r.Kind, r.S3Bucket = RestoreS3, p.str(bucket)
		p.check(bucket, r.S3Bucket, validBucketName)
	default:
		p.add(errorAt(b.DefRange, "Missing restore target",
			fmt.Sprintf("restore %q needs dynamodb_table = \"...\" or s3_bucket = \"...\".", r.Name)))
		return
	}
	if v := a["from"]; v != nil {
		r.From = p.str(v)
		p.check(v, r.From, func(s string) error {
			if err := oneOf(restoreFrom[r.Kind]...)(s); err != nil {
				return fmt.Errorf("for a %s restore, from %v", r.Kind, err)
			}
			return nil
		})
	}
	p.restoreSource(r, a)
	if v := a["stack"]; v != nil {
		if ref, ok := p.ref(v, "stack"); ok {
			r.Stack, r.StackRange = ref.Name, ref.Range
		}
	}
	if v := a["address"]; v != nil {
		r.Address, r.AddressRange = p.str(v), v.Expr.Range()
		p.check(v, r.Address, func(s string) error { return validAddress(s, r.Kind) })
	}
	p.cfg.Restores = append(p.cfg.Restores, r)
}

// restoreSource decodes where the data comes from and checks which
// attributes go with which kind and from.
func (p *parser) restoreSource(r *Restore, a hcl.Attributes) {
	only := func(name string, ok bool, why string) *hcl.Attribute {
		v := a[name]
		if v != nil && !ok {
			p.add(errorAt(v.NameRange, "Unexpected "+name, fmt.Sprintf("restore %q: %s.", r.Name, why)))
			return nil
		}
		return v
	}
	dynamo, s3 := r.Kind == RestoreDynamoDB, r.Kind == RestoreS3
	if v := only("backup_arn", dynamo && r.From == "backup", `backup_arn goes with dynamodb_table and from = "backup"`); v != nil {
		r.BackupARN = p.str(v)
		p.check(v, r.BackupARN, validBackupARN)
	}
	if v := only("source_table", dynamo, "source_table goes with dynamodb_table; for a bucket use source_bucket"); v != nil {
		r.SourceTable = p.str(v)
		p.check(v, r.SourceTable, validTableName)
	}
	if dynamo && r.SourceTable == "" {
		r.SourceTable = r.DynamoDBTable
	}
	if v := only("source_bucket", s3 && r.From == "bucket", `source_bucket goes with s3_bucket and from = "bucket" (from = "versions" restores the bucket from its own history)`); v != nil {
		r.SourceBucket = p.str(v)
		p.check(v, r.SourceBucket, validBucketName)
		if r.SourceBucket == r.S3Bucket && r.SourceBucket != "" {
			p.add(errorAt(v.Expr.Range(), "Invalid source_bucket", fmt.Sprintf(`restore %q: source_bucket is s3_bucket itself; to go back in its own history use from = "versions".`, r.Name)))
		}
	} else if s3 && r.From == "bucket" {
		p.add(errorAt(r.Range, "Missing source_bucket", fmt.Sprintf(`restore %q: from = "bucket" copies from a replica or backup bucket; name it with source_bucket = "...".`, r.Name)))
	}
	if v := only("source_region", !(s3 && r.From == "versions"), `from = "versions" restores the bucket in place, in its own region`); v != nil {
		r.SourceRegion = p.str(v)
		p.check(v, r.SourceRegion, validRegion)
	}
	if v := only("source_account_id", s3 && r.From == "bucket", `source_account_id is the owner of source_bucket: it goes with s3_bucket and from = "bucket"`); v != nil {
		r.SourceAccountID = p.str(v)
		p.check(v, r.SourceAccountID, validAccountID)
	}
	if v := only("keep_newer", s3 && r.From == "versions", `keep_newer goes with s3_bucket and from = "versions" (objects created after point_in_time)`); v != nil {
		r.KeepNewer = p.boolean(v, false)
	}
	if v := only("point_in_time", r.From != "backup", `from = "backup" restores a backup as it was taken; use from = "point_in_time" for a time, or backup_arn for a given backup`); v != nil {
		r.PointInTime = p.timestamp(v)
	} else if s3 && r.From == "versions" {
		p.add(errorAt(r.Range, "Missing point_in_time", fmt.Sprintf(`restore %q: from = "versions" needs the time to go back to: point_in_time = "2026-11-25T06:00:00Z".`, r.Name)))
	}
	if m := backupARNRe.FindStringSubmatch(r.BackupARN); m != nil {
		if a["source_table"] != nil && m[3] != r.SourceTable {
			p.add(errorAt(a["backup_arn"].Expr.Range(), "Invalid backup_arn", fmt.Sprintf("restore %q: backup_arn is a backup of table %q, but source_table is %q.", r.Name, m[3], r.SourceTable)))
		}
		if r.SourceRegion != "" && m[1] != r.SourceRegion {
			p.add(errorAt(a["backup_arn"].Expr.Range(), "Invalid backup_arn", fmt.Sprintf("restore %q: backup_arn is in region %s, but source_region is %s.", r.Name, m[1], r.SourceRegion)))
		}
	}
}

// timestamp decodes an RFC 3339 time that is not in the future.
func (p *parser) timestamp(a *hcl.Attribute) time.Time {
	s := p.str(a)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		p.add(errorAt(a.Expr.Range(), "Invalid "+a.Name,
			fmt.Sprintf("%q is not an RFC 3339 time; write it like \"2026-11-25T06:00:00Z\" (UTC) or with an offset, \"2026-11-25T07:00:00+01:00\".", s)))
		return time.Time{}
	}
	if t.After(time.Now()) {
		p.add(errorAt(a.Expr.Range(), "Invalid "+a.Name, fmt.Sprintf("%s is in the future; there is no data from then to restore.", s)))
		return time.Time{}
	}
	return t.UTC()
}

func validBackupARN(s string) error {
	if !backupARNRe.MatchString(s) {
		return fmt.Errorf("%q is not a DynamoDB backup ARN (arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE/backup/ID)", s)
	}
	return nil
}

// validAddress accepts a managed resource address, possibly in modules and
// indexed, whose type is the one the restore's kind imports into.
func validAddress(s, kind string) error {
	m := addressRe.FindStringSubmatch(s)
	switch {
	case len(s) > 5 && s[:5] == "data.":
		return fmt.Errorf("%q is a data source; a restore is imported into a managed resource such as %s.NAME", s, restoreType[kind])
	case m == nil:
		return fmt.Errorf("%q is not a resource address such as %s.NAME or module.M.%s.NAME", s, restoreType[kind], restoreType[kind])
	case kind != "" && m[1] != restoreType[kind]:
		return fmt.Errorf("%q is a %s; a %s restore is imported into a %s", s, m[1], kind, restoreType[kind])
	}
	return nil
}

// validateRestores checks what spans blocks: the stack exists, and no two
// restores bring back the same table or bucket.
func (p *parser) validateRestores(stackNames []string) {
	seen := map[string]*Restore{}
	for _, r := range p.cfg.Restores {
		if r.Stack != "" && p.cfg.Stack(r.Stack) == nil {
			p.add(errorAt(r.StackRange, "Reference to undeclared stack",
				fmt.Sprintf("restore %q: there is no stack %q in this config.%s", r.Name, r.Stack, didYouMean(r.Stack, stackNames))))
		}
		key := r.Kind + ":" + r.Resource()
		if prev := seen[key]; prev != nil {
			p.add(errorAt(r.Range, "Duplicate restore",
				fmt.Sprintf("restore %q and restore %q (%s) both bring back %s %q; keep one.", r.Name, prev.Name, posString(prev.Range), r.Kind, r.Resource())))
			continue
		}
		seen[key] = r
	}
}

// checkRestoreAddresses checks, once the stacks are inspected, that a
// restore's address names a resource its stack declares (root module
// addresses only: resources inside modules are not inspected).
func (c *Config) checkRestoreAddresses() hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, r := range c.Restores {
		s := c.Stack(r.Stack)
		m := addressRe.FindStringSubmatch(r.Address)
		if s == nil || s.Module == nil || m == nil || len(r.Address) > 7 && r.Address[:7] == "module." {
			continue
		}
		base := m[1] + "." + m[2]
		if contains(s.Module.Resources, base) {
			continue
		}
		diags = append(diags, errorAt(r.AddressRange, "Unknown resource address",
			fmt.Sprintf("restore %q: stack %q (%s) declares no resource %s (it declares: %s).%s",
				r.Name, s.Name, s.Source, base, listOrNone(s.Module.Resources), didYouMean(base, s.Module.Resources))))
	}
	return diags
}
