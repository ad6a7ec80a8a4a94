package restore

import (
	"context"
	"fmt"
	"time"

	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Defaults for Tables' waits: a restore of a large table takes hours, and
// polling every few seconds for hours is wasted calls.
const (
	defaultMaxWait = 12 * time.Hour
	defaultPoll    = 2 * time.Second
	defaultMaxPoll = 30 * time.Second
)

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

// poll describes the table until done says so, backing off from Poll to
// MaxPoll, for at most MaxWait; ctx cancels it at once.
func (t *Tables) poll(ctx context.Context, table, what string, done func(*ddbtypes.TableDescription) (bool, error)) error {
	limit, interval, maxInterval := t.MaxWait, t.Poll, t.MaxPoll
	if limit <= 0 {
		limit = defaultMaxWait
	}
	if interval <= 0 {
		interval = defaultPoll
	}
	if maxInterval <= 0 {
		maxInterval = defaultMaxPoll
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for DynamoDB table %q in %s to %s (up to %s): %w; the restore goes on in AWS: run again to resume waiting",
				table, t.Region, what, limit, ctx.Err())
		case <-timer.C:
		}
		d, err := t.describe(ctx, table)
		if err != nil {
			if ctx.Err() != nil {
				continue // report the cancellation or timeout, not its side effect
			}
			return err
		}
		ok, err := done(d)
		if err != nil || ok {
			return err
		}
		timer.Reset(interval)
		interval = min(interval*2, maxInterval)
	}
}
