package config

import (
	"time"

	"github.com/hashicorp/hcl/v2"
)

// Config is a validated rebuild.hcl. Expressions that can only be evaluated
// once upstream stacks have been applied (inputs, check URLs) are kept as
// HCL expressions together with the references they make.
type Config struct {
	Filename string // as given by the user, used in diagnostics
	Dir      string // absolute directory of the config file

	Project string
	RTO     time.Duration
	// RPO is the data loss the team accepts: a restore whose recovery
	// point is older than this (at restore time) is flagged. 0: not set.
	RPO        time.Duration
	Tags       map[string]string
	Terraform  Terraform
	Target     Target
	State      State
	Checkpoint Checkpoint
	Accounts   []*Account

	Registries []*Registry
	Stacks     []*Stack
	Checks     []*Check
	Steps      []*Step

	// Restores bring data back (stages restore.NAME).
	Restores []*Restore
	// Notifications are the notify blocks; each holds a secret URL.
	Notifications []*Notify
}

// Terraform pins the Terraform binary. An empty Version means "whatever
// terraform is on PATH", which validate warns about.
type Terraform struct {
	// Engine is EngineTerraform (default) or EngineOpenTofu.
	Engine  string
	Version string
	// Path is the user's own binary, absolute (written relative to the
	// config dir); "" means look it up (hc-install for Terraform, PATH
	// for tofu).
	Path string
	// LockTimeout is how long Terraform waits for a state lock held by
	// someone else; 0 means the default of one minute.
	LockTimeout time.Duration
	Range       hcl.Range
}

// The engines terraform { engine = ... } accepts.
const (
	EngineTerraform = "terraform"
	EngineOpenTofu  = "opentofu"
)

// EngineName is the engine for messages and reports: "terraform" when the
// config has no terraform block.
func (t Terraform) EngineName() string {
	if t.Engine == "" {
		return EngineTerraform
	}
	return t.Engine
}

// Target is what the guard compares the caller's identity against.
type Target struct {
	AccountID  string
	Region     string
	RoleARN    string
	ExternalID string
	Range      hcl.Range
}

// State describes the Terraform backend that the state stage bootstraps.
type State struct {
	Bucket                string
	LockTable             string
	UseLockfile           bool
	DenyInsecureTransport bool
	Encryption            string // "aws:kms" (default) or "AES256"
	KMSKeyID              string
	// Account is the account block the state lives in; "" is the target.
	// The backend is configured with that account's role and region.
	Account     string
	BucketRange hcl.Range
	Range       hcl.Range
}

// Checkpoint selects where run progress is stored.
type Checkpoint struct {
	Store string // "file" (default) or "dynamodb"
}

// Registry is one ECR repository.
type Registry struct {
	Label string
	Name  string
	// NameRange is where the repository is named: name, else the label.
	NameRange       hcl.Range
	ScanOnPush      bool
	Immutable       bool
	Encryption      string // "AES256" (default) or "KMS"
	KMSKey          string
	LifecyclePolicy string // raw JSON; built from KeepLast when that is set
	KeepLast        int
	Tags            map[string]string
	// Account is the account block the repository lives in; "" is the
	// target.
	Account string
	// PullAccounts are the account ids the repository policy lets pull.
	// Default: none when the registry is in the target account, else the
	// target account (so the rebuilt workloads can start their containers).
	PullAccounts    []string
	pullAccountsSet bool
	// Images are the image tags the stacks pull from the repository
	// (images): exact tags or patterns with '*', each one that must be
	// there for the rebuilt workloads to start; "NAME:TAG" is accepted
	// where NAME is the repository's name. `tfrebuild readiness` checks
	// them; nothing else reads them.
	Images []string
	// BeforeStacks makes every stack wait for the registries stage, as all
	// did before a stack waited only for what it needs (NeedsRegistries).
	BeforeStacks bool
	// ImageRanges are where each of Images is written.
	ImageRanges []hcl.Range
	// ImagesSource is the repository the images are copied from into this
	// one (images_source); nil for none.
	ImagesSource *ImageSource
	Range        hcl.Range
}

// ImageSource is an ECR repository elsewhere (another region or account)
// that holds the images a registry declares.
type ImageSource struct {
	// RegistryID is the account id that owns the repository.
	RegistryID string
	Region     string
	Name       string
	Range      hcl.Range
}

// String is the repository's URI.
func (s ImageSource) String() string {
	return s.RegistryID + ".dkr.ecr." + s.Region + ".amazonaws.com/" + s.Name
}

// Stack is one Terraform root module applied with its own state key.
type Stack struct {
	Name      string
	Source    string // as written, relative to the config dir
	SourceDir string // absolute
	Optional  bool
	// Account is the account block the stack is applied in; "" is the
	// target. Terraform gets that account's credentials.
	Account   string
	DependsOn []Ref
	// Inputs holds one expression per variable, evaluated after upstream
	// stacks have been applied.
	Inputs      []Input
	MockOutputs map[string]hcl.Expression
	// Env is the stack's env = { NAME = "value" }, evaluated when the
	// config is loaded (values may come from env("NAME")), added to the
	// environment of every Terraform call for this stack. Values may be
	// secrets: never log them.
	Env map[string]string
	// VarFiles are the stack's var_files, absolute, in the order given;
	// pass each as -var-file before the inputs' own var file.
	VarFiles    []string
	Range       hcl.Range
	SourceRange hcl.Range

	// varFileVars are the variables the var files set, for validate.
	varFileVars map[string]hcl.Range

	// Module is what inspecting SourceDir found; nil when it could not be read.
	Module *Module
	// Files is the stack's file set (StackFiles), listed once when the
	// config is read; nil when it could not be.
	Files *FileSet
}

// Input is one entry of a stack's inputs map.
type Input struct {
	Name    string
	Expr    hcl.Expression
	Range   hcl.Range // the key
	Outputs []OutputRef
	// Places are the target.* and account.NAME.* references.
	Places []PlaceRef
}

// Check is an HTTP smoke check polled after the stacks are up.
type Check struct {
	Name     string
	URL      hcl.Expression
	Outputs  []OutputRef
	Places   []PlaceRef
	Status   int
	Timeout  time.Duration
	Interval time.Duration
	Range    hcl.Range
}

// Step is a manual action the run waits for.
type Step struct {
	Name         string
	Instructions string
	After        []Ref
	// AutoConfirmInDrill lets a drill pass this step without a person:
	// drills measure the rebuild, not how fast someone types confirm.
	AutoConfirmInDrill bool
	Range              hcl.Range
}

// Ref is a reference to another block: stack.NAME, check.NAME, step.NAME.
type Ref struct {
	Kind  string
	Name  string
	Range hcl.Range
}

// Stage returns the pipeline stage name the reference points at.
func (r Ref) Stage() string { return r.Kind + "." + r.Name }

// OutputRef is stack.NAME.outputs.OUTPUT inside an expression. Output is
// empty for a reference to the whole outputs object.
type OutputRef struct {
	Stack  string
	Output string
	Range  hcl.Range
}

// Stack returns the stack with the given name, or nil.
func (c *Config) Stack(name string) *Stack {
	for _, s := range c.Stacks {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// StackDeps returns the names of the stacks s depends on, explicit and
// through input references, without duplicates, in declaration order.
func (c *Config) StackDeps(s *Stack) []string {
	seen := map[string]bool{}
	var out []string
	add := func(n string) {
		if !seen[n] && c.Stack(n) != nil {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, r := range s.DependsOn {
		if r.Kind == "stack" {
			add(r.Name)
		}
	}
	for _, in := range s.Inputs {
		for _, o := range in.Outputs {
			add(o.Stack)
		}
	}
	return out
}
