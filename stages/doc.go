// Package stages is the pipeline as data: the stage graph built from a
// config (preflight, state, registries, restores, the stack DAG, checks,
// steps), a runner that starts every ready stage up to a parallelism bound
// and blocks the dependents of a failure, and renderings of the graph (DOT,
// Mermaid, runbook). What a stage does is the caller's business; the
// checkpoint lives in package checkpoint.
package stages
