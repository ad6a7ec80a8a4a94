package restore_test

import (
	"fmt"
	"time"

	"github.com/tfrebuild/tfrebuild/restore"
)

// The engine measures each restore against rebuild.hcl's rpo; status --json
// and the drill report carry the result.
func ExampleMeasure() {
	backupTaken := time.Date(2026, 11, 25, 5, 40, 0, 0, time.UTC)
	res := &restore.Result{Kind: restore.KindDynamoDB, Source: "backup arn:aws:dynamodb:eu-west-2:123456789012:table/orders/backup/01",
		RecoveryPoint: &backupTaken, RestoredAt: time.Date(2026, 11, 25, 6, 5, 0, 0, time.UTC)}
	m := restore.Measure(res, 15*time.Minute)
	fmt.Printf("data age %ds, rpo %ds, met: %v\n", *m.DataAgeSeconds, m.RPOSeconds, m.RPOMet)
	// Output: data age 1500s, rpo 900s, met: false
}
