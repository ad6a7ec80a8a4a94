// Package restore brings data back: a DynamoDB table restored from a backup
// or to a point in time, and the objects of an S3 bucket as they were at a
// point in time or copied from another bucket. It measures each restore's
// recovery point against the recovery point objective (RPO).
//
// The package is a library, not a stage: it knows nothing of rebuild.hcl,
// checkpoints or Terraform. The engine turns a restore block into
// TableOptions or BucketOptions, calls Plan (read-only, for `tfrebuild
// plan`) or Restore, records the Result and its RPO in the checkpoint, and
// imports the table or bucket into the stack's state itself.
//
// Two rules shape the code. Never clobber: a table that exists and is not
// the product of this very restore is refused (ExistingTableError), unless
// the caller accepts it; an unversioned bucket whose objects would be
// overwritten is refused (ExistingDataError). Resume: every call first
// reads what exists, so a restore interrupted half-way is waited for or
// recognised as done, never started twice.
package restore
