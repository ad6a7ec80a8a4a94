package tfstate

import (
	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/terraform"
)

// Location is where one stack's state object is, and who owns it.
type Location struct {
	Bucket string
	Key    string
	// Region is the state account's region, where the bucket is.
	Region string
	// Account names the account block the state lives in ("" for the
	// target); Owner is its ID, the bucket's expected owner.
	Account string
	Owner   string
	// LockTable is the DynamoDB lock table ("" for none); UseLockfile
	// means Terraform also locks with the S3 object Key + ".tflock".
	LockTable   string
	UseLockfile bool
	KMSKeyID    string
}

// Locate is where the config keeps a stack's state: the state bucket in
// the account state { account = … } names (the target by default), under
// the key terraform.StateKey(project, stack).
func Locate(cfg *config.Config, stack string) Location {
	s := cfg.State
	a := cfg.AccountFor(s.Account)
	return Location{
		Bucket: s.Bucket, Key: terraform.StateKey(cfg.Project, stack), Region: a.Region,
		Account: s.Account, Owner: a.AccountID,
		LockTable: s.LockTable, UseLockfile: s.UseLockfile, KMSKeyID: s.KMSKeyID,
	}
}

// LockKey is the S3 object Terraform's use_lockfile lock is kept in.
func (l Location) LockKey() string { return l.Key + ".tflock" }

// String is the state's address, s3://bucket/key.
func (l Location) String() string { return "s3://" + l.Bucket + "/" + l.Key }
