// Package tfstate owns a stack's Terraform state object in the state
// bucket: where it is (Locate: bucket, key, region, the account that owns
// it), reading it and its version, whether it exists, the lock Terraform
// holds on it (the lock-table item or the S3 .tflock file) with its holder
// and ID, the outputs in it (sensitive ones marked), releasing a lock left
// by a process that is gone, and its previous versions.
//
// A Client is bound to the session of the account the state lives in
// (state { account = account.X }), so every command that reads or unlocks
// a state does it with that account's credentials and checks that the
// bucket belongs to it (ExpectedBucketOwner). The engine reaches the state
// only through this package; it imports no AWS SDK service package.
package tfstate
