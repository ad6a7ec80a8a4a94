package restore

import (
	"context"
	"fmt"
	"time"

	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tfrebuild/tfrebuild/internal/poll"
)

// defaultMaxWait bounds a table's wait: a restore of a large table takes
// hours. The interval between checks follows poll.Restore (a tenth of the
// time waited, 1 s to 10 s) unless Poll and MaxPoll say otherwise.
const defaultMaxWait = 12 * time.Hour

// waitActive polls the target table until it is ACTIVE.
func (t *Tables) waitActive(ctx context.Context, table string) error {
	return t.poll(ctx, table, "become ACTIVE", func(d *ddbtypes.TableDescription) (bool, error) {
		if d == nil {
			return false, fmt.Errorf("DynamoDB table %q in %s disappeared while tfrebuild waited for it to become ACTIVE; "+
				"was the restore cancelled or the table deleted? Run again to restore it", table, t.Region)
		}
		return d.TableStatus == ddbtypes.TableStatusActive, nil
	})
}

// waitGone polls the target table until it no longer exists.
func (t *Tables) waitGone(ctx context.Context, table string) error {
	return t.poll(ctx, table, "finish deleting", func(d *ddbtypes.TableDescription) (bool, error) {
		return d == nil, nil
	})
}

// poll describes the table until done says so, on the schedule of
// schedule(), for at most MaxWait; ctx cancels it at once.
func (t *Tables) poll(ctx context.Context, table, what string, done func(*ddbtypes.TableDescription) (bool, error)) error {
	limit := t.MaxWait
	if limit <= 0 {
		limit = defaultMaxWait
	}
	wctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	err := poll.Until(wctx, t.schedule(), func(ctx context.Context) (bool, error) {
		d, err := t.describe(ctx, table)
		if err != nil {
			return false, err
		}
		return done(d)
	})
	if err != nil && wctx.Err() != nil {
		return fmt.Errorf("wait for DynamoDB table %q in %s to %s (up to %s): %w; the restore goes on in AWS: run again to resume waiting",
			table, t.Region, what, limit, wctx.Err())
	}
	return err
}

// schedule is poll.Restore with Poll and MaxPoll, when set, as its bounds.
func (t *Tables) schedule() poll.Schedule {
	s := poll.Restore
	if t.Poll > 0 {
		s.Min = t.Poll
	}
	if t.MaxPoll > 0 {
		s.Max = max(t.MaxPoll, s.Min)
	}
	return s
}
