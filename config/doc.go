// Package config turns rebuild.hcl into a validated model: it parses the
// file with hcl/v2, reports every problem at once as FILE:LINE:COL, and
// inspects each stack's Terraform directory (backend, variables, outputs,
// local modules) without running Terraform, so that the wiring between
// stacks is checked before anything runs. Every expression is also
// evaluated once at load time, with stack outputs unknown, so that unknown
// functions and unset env("NAME") variables are validation errors rather
// than failures half-way through a rebuild. Expressions that depend on
// upstream outputs stay HCL expressions until a Scope evaluates them.
//
// StackFiles is the one walker of a stack's source: the files Terraform or
// OpenTofu may read (every configuration kind, the lock file, the local
// modules called from any of them, through directory symlinks), refusing
// loops and what is not a regular file. Inspection, the fingerprint and
// the working copy all use its list.
package config
