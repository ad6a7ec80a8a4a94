package restore

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Plan reports what Restore would do, writing nothing: the source and
// recovery point it would restore (the newest backup, the latest
// restorable time, or the given one), and the target table's state. A
// source that cannot be resolved (no backup, PITR off) is a Problem in the
// plan, not an error; errors are failures to read at all.
func (t *Tables) Plan(ctx context.Context, opts TableOptions) (*Plan, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	p := &Plan{Kind: KindDynamoDB, Target: opts.Table, From: opts.From}
	d, err := t.describe(ctx, opts.Table)
	if err != nil {
		return nil, err
	}
	if d != nil {
		p.TargetExists, p.TargetStatus = true, string(d.TableStatus)
	}
	switch decide(d, opts) {
	case decideRestore, decideWaitGone:
		p.Action = ActionRestore
	case decideWait:
		p.Action = ActionWait
	case decideDone:
		res, err := t.finished(ctx, opts, d, Resumed)
		if err != nil {
			return nil, err
		}
		p.Action, p.Source, p.RecoveryPoint, p.BackupARN = ActionDone, res.Source, res.RecoveryPoint, res.BackupARN
		p.TargetHasData, err = t.hasData(ctx, opts.Table)
		return p, err
	case decideUnavailable:
		p.Action, p.Problem = ActionRefuse, "the table exists with status "+p.TargetStatus
	case decideCheckData:
		if p.TargetHasData, err = t.hasData(ctx, opts.Table); err != nil {
			return nil, err
		}
		if opts.AcceptExisting {
			// Kept as it is: nothing restored, recovery point unknown.
			p.Action, p.Source = ActionAccept, "existing table "+opts.Table
			return p, nil
		}
		p.Action = ActionRefuse
		p.Problem = (&ExistingTableError{Table: opts.Table, Region: t.Region, Account: t.Account, HasData: p.TargetHasData,
			RestoredFrom: restoredFrom(d.RestoreSummary)}).Error()
	}
	// A refused plan still shows what the restore would bring back, for the
	// choice between another name and --accept-existing.
	src, err := t.resolve(ctx, opts)
	switch {
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case err != nil && p.Problem != "":
		p.Problem += "; " + err.Error()
	case err != nil:
		p.Problem = err.Error()
	default:
		at := src.at
		p.Source, p.RecoveryPoint, p.BackupARN = src.describe(opts, t.SourceRegion), &at, src.backupARN
		t.planItems(ctx, opts, p)
		if l := src.latestRestorable; !src.latest && !l.IsZero() && src.at.After(l) {
			p.Unchecked = append(p.Unchecked, fmt.Sprintf("point_in_time %s is after the latest restorable time AWS reports now (%s): "+
				"AWS refuses it unless it is restorable by the time apply runs", src.at.UTC().Format(time.RFC3339), l.UTC().Format(time.RFC3339)))
		}
	}
	t.planUnchecked(opts, p)
	return p, nil
}

// planUnchecked lists what reading the source cannot prove: the restore
// call itself has no dry run.
func (t *Tables) planUnchecked(opts TableOptions, p *Plan) {
	if p.Action != ActionRestore {
		return
	}
	if t.crossRegion() {
		p.Unchecked = append(p.Unchecked, fmt.Sprintf("whether AWS accepts this cross-region restore from %s into %s "+
			"(the source was read; the restore call has no dry run)", t.SourceRegion, t.Region))
	}
	p.Unchecked = append(p.Unchecked, "permission to call "+restoreCall(opts)+" in "+t.Region+" (no dry run)")
}

func restoreCall(opts TableOptions) string {
	if opts.From == FromBackup {
		return "dynamodb:RestoreTableFromBackup"
	}
	return "dynamodb:RestoreTableToPointInTime"
}

// planItems reads how many items the restore would bring back, as far as
// the API says without reading the data: a failure leaves it unknown.
func (t *Tables) planItems(ctx context.Context, opts TableOptions, p *Plan) {
	if p.BackupARN != "" {
		if s, err := t.backupShape(ctx, p.BackupARN); err == nil {
			p.Items = s.items
		}
		return
	}
	out, err := t.Source.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(opts.source())})
	if err == nil && out.Table != nil && out.Table.ItemCount != nil {
		p.Items, p.ItemsApproximate = out.Table.ItemCount, true
	}
}
