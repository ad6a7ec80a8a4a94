// Package terraform runs Terraform for one stack at a time through
// terraform-exec: the pinned binary (found or installed with hc-install), a
// work folder per stack outside the source tree, init against the
// bootstrapped S3 backend, plan to a saved file, apply that file, outputs.
package terraform
