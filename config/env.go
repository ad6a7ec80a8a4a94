package config

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

var envNameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// envFunc is env("NAME") or env("NAME", "default"): the value of an
// environment variable of the tfrebuild process. An unset variable without
// a default is an error rather than "": a rebuild that silently feeds an
// empty string to Terraform (or posts to an empty webhook) fails later and
// further from the cause. A variable set to "" is "".
var envFunc = function.New(&function.Spec{
	Description: "Returns the value of an environment variable.",
	Params:      []function.Parameter{{Name: "name", Type: cty.String}},
	VarParam:    &function.Parameter{Name: "default", Type: cty.String},
	Type:        function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if len(args) > 2 {
			return cty.NilVal, function.NewArgErrorf(2, `env takes a name and an optional default: env("NAME") or env("NAME", "default")`)
		}
		name := args[0].AsString()
		if !envNameRe.MatchString(name) {
			return cty.NilVal, function.NewArgErrorf(0, "%q is not an environment variable name (letters, digits and '_', not starting with a digit)", name)
		}
		if v, ok := os.LookupEnv(name); ok {
			return cty.StringVal(v), nil
		}
		if len(args) == 2 {
			return args[1], nil
		}
		return cty.NilVal, function.NewArgErrorf(0,
			"the environment variable %s is not set; export it before running tfrebuild, or give a default: env(%q, \"...\")", name, name)
	},
})

// staticContext is what validate evaluates expressions with: every function
// (env() reads the environment now) and, for each variable the expression
// refers to, an unknown value. References themselves are checked elsewhere
// (exprRefs, refs) with better messages; here they only must not stop
// the evaluation of the rest.
func staticContext(e hcl.Expression) *hcl.EvalContext {
	vars := map[string]cty.Value{}
	for _, tr := range e.Variables() {
		vars[tr.RootName()] = cty.DynamicVal
	}
	return &hcl.EvalContext{Variables: vars, Functions: functions}
}

// literalContext is for attributes that may call functions but refer to
// nothing: hcl reports any reference as "Variables not allowed".
var literalContext = &hcl.EvalContext{Functions: functions}

// static evaluates an expression at validate time and reports what fails:
// unknown functions, wrong arguments, unset environment variables. The
// result is unknown where it depends on stack outputs.
func (p *parser) static(e hcl.Expression) (cty.Value, bool) {
	v, diags := e.Value(staticContext(e))
	p.add(scrub(diags)...)
	return v, !diags.HasErrors()
}

// scrub drops the expression and evaluation context hcl attaches to a
// diagnostic: some renderers print the values of the variables involved,
// and a value read by env() may be a secret.
func scrub(diags hcl.Diagnostics) hcl.Diagnostics {
	for _, d := range diags {
		d.Expression = nil
		d.EvalContext = nil
	}
	return diags
}

// reservedEnv are variables tfrebuild sets for Terraform itself, with why a
// stack's env may not override them: the stack would run with another data
// dir, other arguments or other credentials than the ones the guard
// checked, or write a log of its own that may hold secrets.
var reservedEnv = map[string]string{
	"TF_DATA_DIR": "tfrebuild keeps each stack's data dir in its work folder", "TF_WORKSPACE": "tfrebuild uses the default workspace and a state key per stack",
	"TF_IN_AUTOMATION": "tfrebuild runs Terraform non-interactively", "TF_INPUT": "tfrebuild runs Terraform non-interactively",
	"TF_LOG": "Terraform's debug log can hold secrets; tfrebuild keeps the log", "TF_LOG_PATH": "Terraform's debug log can hold secrets; tfrebuild keeps the log",
	"TF_LOG_CORE": "Terraform's debug log can hold secrets; tfrebuild keeps the log", "TF_LOG_PROVIDER": "Terraform's debug log can hold secrets; tfrebuild keeps the log",
}

const credentialsReason = "credentials, region and endpoints come from target or account blocks, checked by the guard"

// reservedEnvReason says why name may not be set in a stack's env, or "".
func reservedEnvReason(name string) string {
	switch {
	case reservedEnv[name] != "":
		return reservedEnv[name]
	case strings.HasPrefix(name, "TF_CLI_ARGS"):
		return "tfrebuild builds Terraform's arguments"
	case strings.HasPrefix(name, "AWS_") && contains(awsReserved, name):
		return credentialsReason
	}
	return ""
}

var awsReserved = []string{
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
	"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_WEB_IDENTITY_TOKEN_FILE",
	"AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL",
}

// stackEnv decodes a stack's env = { NAME = value }. Values are evaluated
// now, once: they may call env() and other functions but not refer to stack
// outputs (those go through inputs, which Terraform can mark sensitive).
func (p *parser) stackEnv(s *Stack, a *hcl.Attribute) {
	exprs := p.exprMap(a)
	s.Env = map[string]string{}
	for _, name := range sortedKeys(exprs) {
		e := exprs[name]
		switch {
		case !envNameRe.MatchString(name):
			p.add(errorAt(e.Range(), "Invalid environment variable name",
				fmt.Sprintf("stack %q: env key %q must use letters, digits and '_', not starting with a digit.", s.Name, name)))
			continue
		case reservedEnvReason(name) != "":
			p.add(errorAt(e.Range(), "Reserved environment variable",
				fmt.Sprintf("stack %q: tfrebuild sets %s itself (%s); remove it from env.", s.Name, name, reservedEnvReason(name))))
			continue
		case len(e.Variables()) > 0:
			p.add(errorAt(e.Variables()[0].SourceRange(), "Invalid env value",
				fmt.Sprintf("stack %q: env.%s is evaluated before anything runs; it may use env(\"NAME\") and functions but no references. Pass stack outputs through inputs.", s.Name, name)))
			continue
		}
		v, ok := p.static(e)
		if !ok {
			continue
		}
		str, err := convertString(v)
		if err != nil {
			p.add(errorAt(e.Range(), "Invalid env value", fmt.Sprintf("stack %q: env.%s must be a string, number or bool: %v.", s.Name, name, err)))
			continue
		}
		s.Env[name] = str
	}
}

// staticString checks an attribute that must produce a string once its
// references are known, such as a check URL.
func (p *parser) staticString(a *hcl.Attribute) {
	v, ok := p.static(a.Expr)
	if !ok || !v.IsKnown() {
		return
	}
	if _, err := convertString(v); err != nil {
		p.add(errorAt(a.Expr.Range(), "Invalid value for "+a.Name, fmt.Sprintf("%s must be a string: %v.", a.Name, err)))
	}
}
