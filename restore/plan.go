package restore

import "time"

// Action is what Restore would do with the target, as Plan reports it.
type Action string

const (
	// ActionRestore: the target is missing (or, for S3, differs): restore.
	ActionRestore Action = "restore"
	// ActionWait: a restore into the target is in progress; wait for it.
	ActionWait Action = "wait"
	// ActionDone: the target is already the product of this restore.
	ActionDone Action = "done"
	// ActionAccept: the target exists and the caller accepts it as it is.
	ActionAccept Action = "accept"
	// ActionRefuse: the target exists with data that is not this restore's;
	// Restore would stop with ExistingTableError or ExistingDataError.
	ActionRefuse Action = "refuse"
)

// Plan is what a restore would do, found without writing anything: what
// `tfrebuild plan` reports for each restore block.
type Plan struct {
	Kind   Kind   `json:"kind"`
	Target string `json:"target"`
	From   string `json:"from"`
	Source string `json:"source"`
	// RecoveryPoint is the resolved newest backup's time, the latest
	// restorable time, or the given point in time. Nil when it cannot be
	// known yet (Problem says why).
	RecoveryPoint *time.Time `json:"recovery_point,omitempty"`
	BackupARN     string     `json:"backup_arn,omitempty"`
	TargetExists  bool       `json:"target_exists"`
	// TargetHasData: the existing table holds at least one item, or the
	// existing bucket at least one object.
	TargetHasData bool   `json:"target_has_data"`
	TargetStatus  string `json:"target_status,omitempty"`
	Action        Action `json:"action"`
	// Objects counts what an S3 restore would do, per object.
	Objects *ObjectCounts `json:"objects,omitempty"`
	// Items is how many items a DynamoDB restore would bring back: the
	// backup's item count, or the source table's ItemCount for a
	// point-in-time restore (ItemsApproximate: AWS refreshes it about
	// every six hours). Nil when unknown.
	Items            *int64 `json:"items,omitempty"`
	ItemsApproximate bool   `json:"items_approximate,omitempty"`
	// Problem is why the restore could not run as configured (no backup, PITR
	// disabled, target bucket missing, a target it would refuse, with what
	// to do); a plan reports it rather than failing, so that every problem
	// shows in one run.
	Problem string `json:"problem,omitempty"`
	// Unchecked says what the plan could not check (the API has no dry
	// run for it, or the target does not exist yet): never reported as
	// fine, and left for apply to find out.
	Unchecked []string `json:"unchecked,omitempty"`
}
