package config

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/hashicorp/hcl/v2"
)

func (p *parser) content(b *hcl.Block, attrs []hcl.AttributeSchema) hcl.Attributes {
	c, diags := b.Body.Content(&hcl.BodySchema{Attributes: attrs})
	p.add(diags...)
	return c.Attributes
}

func (p *parser) decodeTerraform(b *hcl.Block) {
	a := p.content(b, []hcl.AttributeSchema{
		{Name: "version", Required: true}, {Name: "lock_timeout"}, {Name: "engine"}, {Name: "path"},
	})
	t := &p.cfg.Terraform
	t.Range = b.DefRange
	t.Engine = EngineTerraform
	if v := a["engine"]; v != nil {
		t.Engine = p.str(v)
		p.check(v, t.Engine, oneOf(EngineTerraform, EngineOpenTofu))
	}
	if v := a["lock_timeout"]; v != nil {
		t.LockTimeout = p.duration(v)
	}
	if v := a["version"]; v != nil {
		t.Version = p.str(v)
		p.check(v, t.Version, func(s string) error { return validVersionOf(s, t.Engine) })
		t.Range = v.Expr.Range()
	}
	if v := a["path"]; v != nil {
		t.Path = p.binaryPath(v)
	}
}

func (p *parser) decodeTarget(b *hcl.Block) {
	a := p.content(b, []hcl.AttributeSchema{
		{Name: "account_id", Required: true}, {Name: "region", Required: true},
		{Name: "role_arn"}, {Name: "external_id"},
	})
	t := &p.cfg.Target
	t.Range = b.DefRange
	if v := a["account_id"]; v != nil {
		t.AccountID = p.required(v)
		p.check(v, t.AccountID, validAccountID)
	}
	if v := a["region"]; v != nil {
		t.Region = p.required(v)
		p.check(v, t.Region, validRegion)
	}
	if v := a["role_arn"]; v != nil {
		t.RoleARN = p.str(v)
		p.check(v, t.RoleARN, func(s string) error { return validRoleARN(s, t.AccountID) })
	}
	if v := a["external_id"]; v != nil {
		t.ExternalID = p.str(v)
	}
}

func (p *parser) decodeState(b *hcl.Block) {
	a := p.content(b, []hcl.AttributeSchema{
		{Name: "bucket", Required: true}, {Name: "lock_table"}, {Name: "use_lockfile"},
		{Name: "deny_insecure_transport"}, {Name: "encryption"}, {Name: "kms_key_id"}, {Name: "account"},
	})
	s := &p.cfg.State
	s.Range = b.DefRange
	s.Account = p.accountRef(a["account"])
	if v := a["bucket"]; v != nil {
		s.Bucket = p.required(v)
		s.BucketRange = v.Expr.Range()
		p.check(v, s.Bucket, validBucketName)
	}
	if v := a["lock_table"]; v != nil {
		s.LockTable = p.str(v)
		p.check(v, s.LockTable, validTableName)
	}
	s.UseLockfile = p.boolean(a["use_lockfile"], false)
	s.DenyInsecureTransport = p.boolean(a["deny_insecure_transport"], true)
	s.Encryption = "aws:kms"
	if v := a["encryption"]; v != nil {
		s.Encryption = p.str(v)
		p.check(v, s.Encryption, oneOf("aws:kms", "AES256"))
	}
	if v := a["kms_key_id"]; v != nil {
		s.KMSKeyID = p.str(v)
		if s.Encryption != "aws:kms" {
			p.add(errorAt(v.Expr.Range(), "kms_key_id needs aws:kms",
				"kms_key_id only applies with encryption = \"aws:kms\"."))
		}
	}
	if s.LockTable == "" && !s.UseLockfile {
		p.add(errorAt(b.DefRange, "No state locking",
			"set lock_table (DynamoDB) or use_lockfile = true (S3-native locks); running Terraform without a lock is never safe in a rebuild."))
	}
}

func (p *parser) decodeCheckpoint(b *hcl.Block) {
	a := p.content(b, []hcl.AttributeSchema{{Name: "store"}})
	p.cfg.Checkpoint.Store = "file"
	if v := a["store"]; v != nil {
		p.cfg.Checkpoint.Store = p.str(v)
		p.check(v, p.cfg.Checkpoint.Store, oneOf("file", "dynamodb"))
	}
}

func (p *parser) decodeRegistry(b *hcl.Block) {
	a := p.content(b, []hcl.AttributeSchema{
		{Name: "name"}, {Name: "scan_on_push"}, {Name: "immutable"}, {Name: "encryption"},
		{Name: "kms_key"}, {Name: "lifecycle_policy"}, {Name: "keep_last"}, {Name: "tags"},
		{Name: "account"}, {Name: "pull_accounts"}, {Name: "images"}, {Name: "images_source"},
		{Name: "before_stacks"},
	})
	r := &Registry{Label: b.Labels[0], Name: b.Labels[0], Range: b.DefRange, NameRange: b.LabelRanges[0], Encryption: "AES256"}
	r.Account = p.accountRef(a["account"])
	if v := a["pull_accounts"]; v != nil {
		r.PullAccounts, r.pullAccountsSet = p.accountIDs(v), true
	}
	if v := a["name"]; v != nil {
		r.Name, r.NameRange = p.required(v), v.Expr.Range()
		p.check(v, r.Name, validRepositoryName)
	} else if err := validRepositoryName(r.Name); err != nil {
		p.add(errorAt(b.LabelRanges[0], "Invalid registry", err.Error()+". Set name = \"...\" in the block."))
	}
	r.ScanOnPush = p.boolean(a["scan_on_push"], true)
	r.Immutable = p.boolean(a["immutable"], false)
	r.BeforeStacks = p.boolean(a["before_stacks"], false)
	if v := a["encryption"]; v != nil {
		r.Encryption = p.str(v)
		p.check(v, r.Encryption, oneOf("AES256", "KMS"))
	}
	if v := a["kms_key"]; v != nil {
		r.KMSKey = p.str(v)
	}
	if v := a["tags"]; v != nil {
		r.Tags = p.strMap(v)
	}
	r.KeepLast = p.integer(a["keep_last"], 0, 1, 10000)
	if v := a["lifecycle_policy"]; v != nil {
		r.LifecyclePolicy = p.str(v)
		if r.KeepLast > 0 {
			p.add(errorAt(v.Expr.Range(), "Conflicting lifecycle settings", "set either lifecycle_policy or keep_last, not both."))
		}
		p.check(v, r.LifecyclePolicy, validJSONObject)
	} else if r.KeepLast > 0 {
		r.LifecyclePolicy = keepLastPolicy(r.KeepLast)
	}
	p.decodeImages(r, a["images"], a["images_source"])
	p.cfg.Registries = append(p.cfg.Registries, r)
}

func (p *parser) decodeStack(b *hcl.Block) {
	a := p.content(b, []hcl.AttributeSchema{
		{Name: "source", Required: true}, {Name: "depends_on"}, {Name: "optional"},
		{Name: "inputs"}, {Name: "mock_outputs"}, {Name: "env"}, {Name: "var_files"},
		{Name: "account"},
	})
	s := &Stack{Name: b.Labels[0], Range: b.DefRange, SourceRange: b.DefRange}
	if v := a["source"]; v != nil {
		s.Source = p.required(v)
		s.SourceRange = v.Expr.Range()
		if s.Source != "" {
			s.SourceDir = filepath.Join(p.cfg.Dir, filepath.FromSlash(s.Source))
			if filepath.IsAbs(s.Source) {
				s.SourceDir = filepath.Clean(s.Source)
			}
			p.checkSource(s)
		}
	}
	s.DependsOn = p.refs(a["depends_on"], "stack", "registry")
	s.Account = p.accountRef(a["account"])
	s.Optional = p.boolean(a["optional"], false)
	if v := a["inputs"]; v != nil {
		s.Inputs = p.inputs(v)
	}
	if v := a["env"]; v != nil {
		p.stackEnv(s, v)
	}
	if v := a["var_files"]; v != nil {
		p.varFiles(s, v)
	}
	if v := a["mock_outputs"]; v != nil {
		s.MockOutputs = p.exprMap(v)
		// plan evaluates mock values without a context: anything but a
		// literal would be silently replaced by a placeholder there.
		for _, name := range sortedKeys(s.MockOutputs) {
			e := s.MockOutputs[name]
			if _, d := e.Value(nil); d.HasErrors() {
				p.add(errorAt(e.Range(), "Invalid mock output", fmt.Sprintf("mock_outputs.%s must be a literal value, not a reference or a function call.", name)))
			}
		}
	}
	p.cfg.Stacks = append(p.cfg.Stacks, s)
}

func (p *parser) decodeCheck(b *hcl.Block) {
	a := p.content(b, []hcl.AttributeSchema{
		{Name: "url", Required: true}, {Name: "status"}, {Name: "timeout"}, {Name: "interval"},
	})
	c := &Check{Name: b.Labels[0], Range: b.DefRange, Status: 200, Timeout: 5 * time.Minute, Interval: 5 * time.Second}
	if v := a["url"]; v != nil {
		c.URL = v.Expr
		c.Outputs, c.Places = p.exprRefs(v.Expr)
		p.staticString(v)
	}
	c.Status = p.integer(a["status"], 200, 100, 599)
	if v := a["timeout"]; v != nil {
		if d := p.duration(v); d > 0 {
			c.Timeout = d
		}
	}
	if v := a["interval"]; v != nil {
		if d := p.duration(v); d > 0 {
			c.Interval = d
		}
	}
	p.cfg.Checks = append(p.cfg.Checks, c)
}

func (p *parser) decodeStep(b *hcl.Block) {
	a := p.content(b, []hcl.AttributeSchema{{Name: "instructions", Required: true}, {Name: "after"}, {Name: "auto_confirm_in_drill"}})
	s := &Step{Name: b.Labels[0], Range: b.DefRange}
	s.AutoConfirmInDrill = p.boolean(a["auto_confirm_in_drill"], false)
	if v := a["instructions"]; v != nil {
		s.Instructions = p.required(v)
	}
	s.After = p.refs(a["after"], "check", "stack", "step")
	p.cfg.Steps = append(p.cfg.Steps, s)
}

func (p *parser) check(a *hcl.Attribute, value string, valid func(string) error) {
	if value == "" {
		return
	}
	if err := valid(value); err != nil {
		p.add(errorAt(a.Expr.Range(), "Invalid "+a.Name, err.Error()))
	}
}
