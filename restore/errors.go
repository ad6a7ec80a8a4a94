package restore

import (
	"fmt"
	"strings"

	"github.com/tfrebuild/tfrebuild/internal/cmdline"
)

// ExistingTableError is a restore refused because its target table exists
// and is not the product of this restore: restoring would need the name,
// and tfrebuild never deletes a table to get it.
type ExistingTableError struct {
	Table  string
	Region string
	// Account is where the table is, for the delete-table command.
	Account cmdline.Where
	// HasData is false for an existing but empty table: refused too, since
	// an empty table where the data belongs is the failure a restore exists
	// to prevent; accepting it would report success with nothing restored.
	HasData bool
	// RestoredFrom is set when the table was restored, but from another
	// source (another table or backup).
	RestoredFrom string
}

func (e *ExistingTableError) Error() string {
	what := "exists and holds data"
	if !e.HasData {
		what = "exists but is empty"
	}
	if e.RestoredFrom != "" {
		what += " (restored from " + e.RestoredFrom + ", not from this restore's source)"
	}
	msg := fmt.Sprintf("restore DynamoDB table %q in %s: the table %s; tfrebuild does not overwrite it. "+
		"Restore into another name (set dynamodb_table to a new name and point the stack's input at it), "+
		"or keep the table as it is with --accept-existing %s", e.Table, e.Region, what, e.Table)
	if !e.HasData {
		w := e.Account
		w.Region = e.Region
		msg += ", or delete the empty table (" + cmdline.AWS(w, "dynamodb", "delete-table", "--table-name", e.Table) + ") and run again"
	}
	return msg
}

// ExistingDataError is a bucket restore refused because it would overwrite
// objects in a target bucket without versioning, where the old contents
// would be lost.
type ExistingDataError struct {
	Bucket     string
	Overwrites int
	Examples   []string
}

func (e *ExistingDataError) Error() string {
	return fmt.Sprintf("restore into S3 bucket %q: %d object(s) there would be overwritten (%s) and the bucket has no versioning "+
		"to keep the old ones; enable versioning on it, restore into another bucket, or accept the overwrite with --accept-existing",
		e.Bucket, e.Overwrites, strings.Join(e.Examples, ", "))
}

// NoBackupError is a backup restore with no backup to restore from.
type NoBackupError struct {
	Table  string
	Region string
}

func (e *NoBackupError) Error() string {
	return fmt.Sprintf("restore from backup: table %q has no AVAILABLE backup in %s; set backup_arn to a backup "+
		"(aws dynamodb list-backups --table-name %s --region %s), set source_table/source_region to where its backups are, "+
		"or use from = \"point_in_time\" if the table still exists with point-in-time recovery",
		e.Table, e.Region, e.Table, e.Region)
}

// PITROffError is a point-in-time restore whose source table has
// point-in-time recovery off.
type PITROffError struct {
	Table, Source, Region string
}

func (e *PITROffError) Error() string {
	return fmt.Sprintf("restore table %q to a point in time: point-in-time recovery is not enabled on table %q in %s; "+
		"restore from a backup (from = \"backup\") instead", e.Table, e.Source, e.Region)
}
