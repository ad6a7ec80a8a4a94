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

// Presence is what a restore's target holds when the restore is done on
// record: read from the target only, never from the source.
type Presence int

const (
	// TargetPresent: the table exists, or the bucket holds objects.
	TargetPresent Presence = iota
	// TargetMissing: the table or bucket does not exist.
	TargetMissing
	// TargetEmpty: the bucket exists and holds no object version at all.
	TargetEmpty
)

// Again decides whether a restore runs in this run: the once-per-rebuild
// rule. A restore not done on record runs. One done (in this rebuild, or
// in an earlier one whose checkpoint kept it) runs again only when asked
// for by name (--restore NAME) or when its target needs the data (the
// table is gone, the bucket gone or empty): data written since the restore
// is never rolled back otherwise, and the source is never read again.
// why says, for a done restore, what was decided and why.
func Again(done bool, target Presence, asked bool) (run bool, why string) {
	switch {
	case !done:
		return true, ""
	case asked:
		return true, "done earlier; restoring again as asked (--restore)"
	case target == TargetMissing:
		return true, "done earlier, but its target is gone: restoring again"
	case target == TargetEmpty:
		return true, "done earlier, but its target holds no object: restoring again"
	}
	return false, "done earlier in this rebuild's history: not run again, its source not read " +
		"(data written since stays; to restore again: --restore NAME)"
}
