package config

import (
	"fmt"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"
)

// sensitiveWiring warns about a sensitive output fed into a variable its
// stack does not declare sensitive: Terraform then treats the value as
// plain, and shows it in plans and in outputs that use it. tfrebuild's
// own reports still hide it; Terraform's logs and state do not.
func (c *Config) sensitiveWiring() hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, s := range c.Stacks {
		if s.Module == nil {
			continue
		}
		for _, in := range s.Inputs {
			v := s.Module.Variables[in.Name]
			if v == nil || v.Sensitive {
				continue
			}
			for _, o := range in.Outputs {
				up := c.Stack(o.Stack)
				if up == nil || up.Module == nil || up.Module.Outputs[o.Output] == nil || !up.Module.Outputs[o.Output].Sensitive {
					continue
				}
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Sensitive value into a plain variable",
					Detail: fmt.Sprintf("stack %s's input %s takes stack.%s.outputs.%s, which is sensitive, but variable %q (%s) is not declared sensitive: "+
						"Terraform shows the value in plans, logs and any output that uses it (tfrebuild's own reports hide it). Add sensitive = true to the variable.",
						s.Name, in.Name, o.Stack, o.Output, in.Name, filepath.Join(s.Source, v.File)),
					Subject: o.Range.Ptr()})
			}
		}
	}
	return diags
}
