package stages

import (
	"fmt"
	"strings"
	"time"

	"github.com/tfrebuild/tfrebuild/config"
)

// describeRestore is the runbook text of a restore stage: what comes back,
// from where, to which recovery point, and how it is adopted.
func describeRestore(cfg *config.Config, r *config.Restore, skipped bool) string {
	var b strings.Builder
	region := ""
	if r.SourceRegion != "" {
		region = " in " + r.SourceRegion
	}
	switch {
	case r.Kind == config.RestoreDynamoDB && r.From == "backup" && r.BackupARN != "":
		fmt.Fprintf(&b, "restore DynamoDB table `%s` from backup `%s`", r.DynamoDBTable, r.BackupARN)
		b.WriteString(recoveryPoint("the backup's creation time", cfg.RPO))
	case r.Kind == config.RestoreDynamoDB && r.From == "backup":
		fmt.Fprintf(&b, "restore DynamoDB table `%s` from the newest backup of table `%s`%s", r.DynamoDBTable, r.SourceTable, region)
		b.WriteString(recoveryPoint("that backup's creation time", cfg.RPO))
	case r.Kind == config.RestoreDynamoDB:
		fmt.Fprintf(&b, "restore DynamoDB table `%s` from the point-in-time recovery of table `%s`%s", r.DynamoDBTable, r.SourceTable, region)
		b.WriteString(recoveryPoint(pointOr(r.PointInTime, "the latest restorable time"), cfg.RPO))
	case r.From == "versions":
		fmt.Fprintf(&b, "bring the objects of S3 bucket `%s` back to the versions they had", r.S3Bucket)
		b.WriteString(recoveryPoint(pointOr(r.PointInTime, ""), cfg.RPO))
	default:
		fmt.Fprintf(&b, "copy the objects of S3 bucket `%s`%s into bucket `%s`", r.SourceBucket, region, r.S3Bucket)
		b.WriteString(recoveryPoint(pointOr(r.PointInTime, "the source's newest objects"), cfg.RPO))
	}
	if r.BeforeStack() {
		fmt.Fprintf(&b, " Starts as soon as preflight has passed, and waits until the table is ACTIVE; import.%s then adopts it into stack.%s's state.", r.Name, r.Stack)
		fmt.Fprintf(&b, " A table `%s` that already exists with data is never overwritten: the stage stops and says what to do.", r.DynamoDBTable)
	} else {
		fmt.Fprintf(&b, " Runs after stack.%s has created the bucket (`%s` in its state).", r.Stack, r.Address)
	}
	if skipped {
		b.WriteString(" Optional: only with `--with " + r.Stack + "`.")
	}
	return b.String()
}

// describeImport is the runbook text of an import stage.
func describeImport(r *config.Restore, skipped bool) string {
	text := fmt.Sprintf("import the restored table `%s` into stack.%s's state as `%s` (unless the state has it already), "+
		"so that Terraform adopts it instead of creating an empty table: stack.%s's own apply imports it (an import block).", r.DynamoDBTable, r.Stack, r.Address, r.Stack)
	if skipped {
		text += " Optional: only with `--with " + r.Stack + "`."
	}
	return text
}

func recoveryPoint(point string, rpo time.Duration) string {
	text := ". Recovery point: " + point
	if rpo > 0 {
		text += fmt.Sprintf(" (RPO %s: an older recovery point is flagged)", rpo)
	}
	return text + "."
}

func pointOr(t time.Time, def string) string {
	if t.IsZero() {
		return def
	}
	return t.UTC().Format(time.RFC3339)
}
