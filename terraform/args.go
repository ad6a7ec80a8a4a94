package terraform

import "strconv"

// The command lines of init, plan, apply and import are built here, apart
// from running them (command.go), and unit-tested flag by flag
// (args_test.go). Why tfrebuild builds them itself rather than through
// terraform-exec: docs/decisions/0001-terraform-runner.md. They keep
// terraform-exec's own defaults flag for flag, so that nothing about what
// Terraform does changed when the runner stopped using it. Every choice is
// a named option, never a positional boolean.

// lockfileMode says what init may do with .terraform.lock.hcl.
type lockfileMode int

const (
	// lockfileWritable: init records the provider versions it selects (the
	// stack has no committed lock file; tfrebuild keeps the generated one).
	lockfileWritable lockfileMode = iota
	// lockfileReadonly: the stack's committed lock file pins the providers;
	// init fails rather than change it (-lockfile=readonly).
	lockfileReadonly
)

// stateLocking says whether a command takes the state lock.
type stateLocking int

const (
	// lockState: -lock=true, for every command that may write the state.
	lockState stateLocking = iota
	// noStateLock: -lock=false, for a read-only plan against a state that
	// another run may hold, or a command under a state lock the caller
	// holds itself (Stack.StateLocked).
	noStateLock
)

// planMode is what a plan proposes.
type planMode int

const (
	planChanges planMode = iota // the configuration's changes
	planDestroy                 // everything in the state destroyed (-destroy)
)

// initOptions are init's: against the stack's backend config file
// (reconfigured every time: the file is tfrebuild's), or, with
// BackendConfig "", a wrapper root without a backend of its own.
type initOptions struct {
	BackendConfig string
	Lockfile      lockfileMode
}

func (o initOptions) args() []string {
	args := []string{"init", "-no-color", "-input=false", "-backend=true", "-get=true", "-upgrade=false"}
	if o.BackendConfig != "" {
		args = append(args, "-reconfigure", "-backend-config="+o.BackendConfig)
	}
	if o.Lockfile == lockfileReadonly {
		args = append(args, "-lockfile=readonly")
	}
	return args
}

// planOptions plan to a saved plan file (Out), -json.
type planOptions struct {
	LockTimeout string
	VarFiles    []string
	Out         string
	Mode        planMode
	Locking     stateLocking
}

func (o planOptions) args() []string {
	args := []string{"plan", "-no-color", "-input=false", "-detailed-exitcode", "-lock-timeout=" + o.LockTimeout, "-out=" + o.Out}
	args = appendVarFiles(args, o.VarFiles)
	args = append(args, "-lock="+strconv.FormatBool(o.Locking == lockState), "-parallelism=10", "-refresh=true")
	if o.Mode == planDestroy {
		args = append(args, "-destroy")
	}
	return append(args, "-json")
}

// applyOptions plan and apply in one process (`apply -auto-approve
// -json`), or, with SavedPlan set, apply that plan: it carries its
// variables, so VarFiles are not passed (Terraform refuses them).
type applyOptions struct {
	LockTimeout string
	VarFiles    []string
	SavedPlan   string
	Locking     stateLocking
}

func (o applyOptions) args() []string {
	args := []string{"apply", "-no-color", "-auto-approve", "-input=false", "-lock-timeout=" + o.LockTimeout}
	if o.SavedPlan == "" {
		args = appendVarFiles(args, o.VarFiles)
	}
	args = append(args, "-lock="+strconv.FormatBool(o.Locking == lockState), "-parallelism=10", "-refresh=true", "-json")
	if o.SavedPlan != "" {
		args = append(args, o.SavedPlan)
	}
	return args
}

// importOptions adopt an existing object (ID) at Address, with the stack's
// inputs: import evaluates the configuration.
type importOptions struct {
	LockTimeout string
	VarFiles    []string
	Address, ID string
	Locking     stateLocking
}

func (o importOptions) args() []string {
	args := []string{"import", "-no-color", "-input=false", "-lock-timeout=" + o.LockTimeout}
	args = appendVarFiles(args, o.VarFiles)
	return append(args, "-lock="+strconv.FormatBool(o.Locking == lockState), o.Address, o.ID)
}

func appendVarFiles(args, files []string) []string {
	for _, f := range files {
		args = append(args, "-var-file="+f)
	}
	return args
}
