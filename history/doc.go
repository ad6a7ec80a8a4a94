// Package history keeps what each completed rebuild and each drill of a
// target leaves behind: a compact Record (kind, start and end, verdict, the
// RTO used against the objective with its breakdown, each stage's
// duration and attempts, each restore's data age against the RPO, the
// engine), and reads it back: List for the trend, Predict for the RTO the
// next rebuild can expect (the critical path of the pipeline with each
// stage's recent median duration, and how many runs that rests on), and
// Regressions for stages that became slower than their median.
//
// Records are kept on the machine that ran (.tfrebuild/history/*.json
// beside the config, FileStore) and, when the checkpoint store is DynamoDB,
// also as one item per record in the lock table (DynamoStore), so that
// another machine sees them; Both writes to both and lists their union.
// See docs/decisions/0003-history.md.
//
// FromCheckpoint, Predict and Regressions are pure functions, tested on
// tables; the stores pass one conformance test each.
package history
