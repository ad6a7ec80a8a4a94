// Package terraform runs Terraform or OpenTofu for one stack at a time,
// with command lines it builds itself (args.go; why: docs/decisions/
// 0001-terraform-runner.md): the pinned binary
// (Terraform found or installed with hc-install, OpenTofu found at its
// path, $TFREBUILD_TOFU or on PATH),
// a work folder per stack outside the source tree, and in it a working copy
// of the stack's files (exactly those the caller lists in Stack.Files: this
// package never walks a source) that Terraform runs in, so that nothing it writes
// (errored.tfstate, a generated lock file, crash.log) lands in the source.
// A stack's sequence: init against the bootstrapped S3 backend (one at a
// time, one shared plugin cache, a committed lock file read-only; skipped
// when the data dir is already initialised for the same inputs), apply
// -json that plans and applies with per-resource progress, outputs read
// from the state. Logs are one per attempt and hold
// no secret: commands whose stdout is data (show -json, state pull) are not
// logged, and var files and plans are removed when a sequence ends.
// Each Terraform process runs under a supervisor (supervise.go) that
// interrupts it when tfrebuild dies and kills its process group after; a
// runner with Spares keeps one started ahead of the next command
// (spare.go).
package terraform
