// Package rebuild is the engine: it runs one mode of a rebuild (apply,
// plan, destroy) over the stage pipeline, records every stage in the
// checkpoint, and emits the run's events on an events.Bus. It returns data
// (Summary, PlanReport, Status, DrillVerdict) and renders nothing: the
// terminal progress and the reports are in internal/ui.
//
// Each mode is a type with its own stage function (applier, planner,
// destroyer) over a shared core; what a stage kind does in each mode is in
// one file per kind (kind_*.go), registered in kinds.go. The engine's
// collaborators, the AWS sessions, the state objects (package tfstate),
// Terraform and the checkpoint store, come in through Deps as small
// interfaces, built by the command (cmd/tfrebuild/wire.go), so that its
// decisions are unit-tested without a cloud or a Terraform binary. The
// engine imports no AWS SDK service package.
//
// A rebuild in progress keeps its scope (scope.go: --with, --only) until it
// completes or is destroyed; an --only run leaves the checkpoint records of
// the stages it skips as they were (only.go). What the checkpoint hashes,
// fingerprints and outputs, is keyed with a per-target random key
// (hashkey.go), never a plain hash of a value that may be a secret.
package rebuild
