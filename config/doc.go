// Package config turns rebuild.hcl into a validated model: it parses the
// file with hcl/v2, reports every problem at once as FILE:LINE:COL, and
// inspects each stack's Terraform directory (backend, variables, outputs,
// local modules) without running Terraform, so that the wiring between
// stacks is checked before anything runs. Expressions that depend on
// upstream outputs stay HCL expressions until a Scope evaluates them.
package config
