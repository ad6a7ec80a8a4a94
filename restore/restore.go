package restore

import (
	"errors"
	"time"

	"github.com/aws/smithy-go"
)

// Kind is what a restore brings back; the names are the rebuild.hcl
// attributes that select it.
type Kind string

const (
	KindDynamoDB Kind = "dynamodb_table"
	KindS3       Kind = "s3_bucket"
)

// Where the data comes from: the values of a restore block's from.
const (
	FromBackup      = "backup"        // DynamoDB: a backup, the newest by default
	FromPointInTime = "point_in_time" // DynamoDB: continuous backups (PITR)
	FromVersions    = "versions"      // S3: older object versions of the same bucket
	FromBucket      = "bucket"        // S3: another bucket, any region
)

// Outcome says what a Restore call did.
type Outcome string

const (
	// Restored: this call restored the data.
	Restored Outcome = "restored"
	// Resumed: a restore already in progress (an earlier, interrupted run)
	// was waited for, or found finished; nothing was restored twice.
	Resumed Outcome = "resumed"
	// Unchanged: the target already held the data as of the recovery point
	// (S3), nothing was written.
	Unchanged Outcome = "unchanged"
	// Accepted: the target existed and the caller accepted it as it is
	// (--accept-existing); nothing was restored and the recovery point is
	// unknown.
	Accepted Outcome = "accepted"
)

// Result is what one restore did. Its JSON form is carried in the
// checkpoint and in status --json: fields are added, never renamed.
type Result struct {
	Kind    Kind    `json:"kind"`
	Target  string  `json:"target"`
	From    string  `json:"from"`
	Source  string  `json:"source"`
	Outcome Outcome `json:"outcome"`
	// RecoveryPoint is the moment the restored data is from: the backup's
	// creation time, or the point in time restored to. Nil when unknown
	// (an existing target accepted as it is).
	RecoveryPoint *time.Time `json:"recovery_point,omitempty"`
	// RestoredAt is when the data became available in the target; for a
	// table an earlier run restored, when that restore started (the
	// table's creation time), so that repeated runs report the same age.
	RestoredAt time.Time `json:"restored_at"`
	// BackupARN is the DynamoDB backup restored from, when there is one.
	BackupARN string `json:"backup_arn,omitempty"`
	// TableARN is the restored table's ARN.
	TableARN string `json:"table_arn,omitempty"`
	// Objects counts what an S3 restore did.
	Objects *ObjectCounts `json:"objects,omitempty"`
	// Verified is what came back, checked against the source at the
	// recovery point once the run's stages had finished; nil until then.
	Verified *Verification `json:"verified,omitempty"`
}

// ObjectCounts are an S3 restore's per-object decisions.
type ObjectCounts struct {
	// Restored objects were copied from an older version or the source
	// bucket to become the current version.
	Restored int `json:"restored"`
	// Unchanged objects already had the content they had at the point in
	// time (or the source's).
	Unchanged int `json:"unchanged"`
	// Deleted objects did not exist at the point in time (created later, or
	// deleted then) and received a delete marker; their versions remain.
	Deleted int `json:"deleted"`
	// Kept objects did not exist at the point in time but were left in
	// place (KeepNewer), or exist only in the target of a bucket copy.
	Kept int `json:"kept"`
}

// errorCode is the AWS error code of err, or "".
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func hasCode(err error, codes ...string) bool {
	c := errorCode(err)
	for _, want := range codes {
		if c == want {
			return true
		}
	}
	return false
}
