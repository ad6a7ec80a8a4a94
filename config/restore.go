package config

import (
	"time"

	"github.com/hashicorp/hcl/v2"
)

// The kinds of data a restore block brings back.
const (
	RestoreDynamoDB = "dynamodb"
	RestoreS3       = "s3"
)

// Where a restore takes its data from, per kind.
var restoreFrom = map[string][]string{
	RestoreDynamoDB: {"backup", "point_in_time"},
	RestoreS3:       {"versions", "bucket"},
}

// Restore brings data back into a resource that a stack's Terraform
// manages, and adopts it into that stack's state. Stage restore.NAME.
type Restore struct {
	Name string
	Kind string // RestoreDynamoDB or RestoreS3

	DynamoDBTable string // the table to bring back, under this name (dynamodb)
	S3Bucket      string // the bucket objects are brought back into (s3)

	// From is "backup" or "point_in_time" for DynamoDB, "versions" or
	// "bucket" for S3.
	From string
	// BackupARN is the DynamoDB backup to restore; "" means the newest
	// backup of SourceTable (From == "backup" only).
	BackupARN string
	// PointInTime is the recovery point asked for; zero means the latest
	// restorable time (DynamoDB point_in_time) or the newest objects
	// (S3 bucket). Required for S3 versions.
	PointInTime time.Time
	// SourceTable is the table whose backups or history are used; it
	// defaults to DynamoDBTable.
	SourceTable string
	// SourceBucket is the replica or backup bucket (S3 From == "bucket").
	SourceBucket string
	// SourceRegion is the region of the source; "" means the region of
	// the stack's account.
	SourceRegion string
	// SourceAccountID is the account that owns SourceBucket, checked on
	// every read of it (S3 From == "bucket"); "" checks nothing.
	SourceAccountID string
	// KeepNewer leaves objects that did not exist at PointInTime in place
	// instead of hiding them behind a delete marker (S3 From == "versions").
	KeepNewer bool

	Stack   string // the stack whose state owns the resource
	Address string // the resource's address in that stack, for import

	Range        hcl.Range
	StackRange   hcl.Range
	AddressRange hcl.Range
}

// Resource names what the restore brings back: the table or bucket name.
func (r *Restore) Resource() string {
	if r.Kind == RestoreS3 {
		return r.S3Bucket
	}
	return r.DynamoDBTable
}

// BeforeStack reports whether the restore runs before its stack: a
// DynamoDB table is restored first so that Terraform adopts it instead of
// creating an empty one; S3 objects go into the bucket the stack created.
func (r *Restore) BeforeStack() bool { return r.Kind == RestoreDynamoDB }

// Restore returns the restore block with this name, or nil.
func (c *Config) Restore(name string) *Restore {
	for _, r := range c.Restores {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// RestoresOf returns the restores whose data belongs to the stack, in
// declaration order.
func (c *Config) RestoresOf(stack string) []*Restore {
	var out []*Restore
	for _, r := range c.Restores {
		if r.Stack == stack {
			out = append(out, r)
		}
	}
	return out
}
