// Package lease is the target-wide run lease: one record in the target's
// own backend (an item in the lock table, or an object in the state
// bucket written with S3 conditional writes) that names the run driving
// the target. It is taken with a conditional write, kept alive by a
// heartbeat, carries a fencing token that grows each time it changes
// hands, and is taken over only from a holder that is provably gone.
//
// A run that loses its lease learns it from the heartbeat or from Verify,
// which it calls before each write; OnLost lets the run cancel its context
// (restic's model), so that it stops before its next write. Verify reads
// the record unless this run wrote or proved it less than Fresh ago
// (docs/decisions/0004-fresh-lease.md). On DynamoDB, a free lease may be
// written in one transaction with other items (Options.Beside): the state
// locks of the stacks a run starts with.
package lease
