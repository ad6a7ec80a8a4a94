// Package readiness answers "could we recover right now?" without
// writing anything anywhere: `tfrebuild readiness` runs its checks
// against the target (which may not exist yet) and the sources of the
// data it would restore, every day in CI.
//
// Each check is a small function over the interfaces it consumes
// (Guard, BucketFinder, TableSources, ImageLister, ...), so that each is
// unit-tested with fakes; the command builds the real ones (guarded AWS
// sessions, restore's source checks, ECR, the engine finder) in
// cmd/tfrebuild and hands them over in Deps. A check ends with a verdict
// (ok, warn, fail), what it found and what to do, with a complete command
// where there is one. A check that depends on an account whose access
// failed is not run: it fails naming that account, since in the wrong
// account every answer would be wrong.
package readiness
