// Package stages is the pipeline as data: the stage graph built from a
// config (preflight, state, registries, the stack DAG, checks, steps), a
// runner that starts every ready stage up to a parallelism bound and blocks
// the dependents of a failure, and the checkpoint Store with its file
// implementation and run lock. What a stage does is the caller's business.
package stages
