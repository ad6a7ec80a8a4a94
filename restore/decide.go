package restore

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// decision is what to do with a target table as found: the whole
// never-clobber and resume policy, kept apart from the AWS calls so that it
// can be tested on every state, including those moto never produces.
type decision int

const (
	decideRestore     decision = iota // missing: restore
	decideWait                        // creating or updating: wait, then decide again
	decideWaitGone                    // being deleted: wait until gone, then decide again
	decideDone                        // restored from this source: done
	decideCheckData                   // exists and is not ours: look for data, then refuse or accept
	decideUnavailable                 // archived or its key is inaccessible: stop
)

// decide looks at the target's description (nil: missing).
func decide(d *ddbtypes.TableDescription, opts TableOptions) decision {
	if d == nil {
		return decideRestore
	}
	switch d.TableStatus {
	case ddbtypes.TableStatusCreating, ddbtypes.TableStatusUpdating:
		return decideWait
	case ddbtypes.TableStatusDeleting:
		return decideWaitGone
	case ddbtypes.TableStatusActive:
	default:
		return decideUnavailable
	}
	if restoredFromSource(d.RestoreSummary, opts) {
		return decideDone
	}
	return decideCheckData
}

// restoredFromSource: the table's restore summary names this restore's
// source, so an earlier run restored it. A default backup restore accepts
// any backup of the source table: a newer backup may have been taken since
// that run, and restoring again would mean deleting the table.
func restoredFromSource(s *ddbtypes.RestoreSummary, opts TableOptions) bool {
	if s == nil || aws.ToBool(s.RestoreInProgress) {
		return false
	}
	if !strings.HasSuffix(aws.ToString(s.SourceTableArn), ":table/"+opts.source()) {
		return false
	}
	backup := aws.ToString(s.SourceBackupArn)
	switch {
	case opts.From == FromPointInTime:
		return backup == ""
	case opts.BackupARN != "":
		return backup == opts.BackupARN
	default:
		return backup != ""
	}
}

// restoredFrom names the source of a restored table for an error message.
func restoredFrom(s *ddbtypes.RestoreSummary) string {
	if s == nil {
		return ""
	}
	if b := aws.ToString(s.SourceBackupArn); b != "" {
		return "backup " + b
	}
	return aws.ToString(s.SourceTableArn)
}
