package dynamodb

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tfrebuild/tfrebuild/checkpoint"
	"github.com/tfrebuild/tfrebuild/internal/awserr"
)

// Lock takes the run lock item. A lock whose heartbeat is older than
// HeartbeatTTL, or whose holder is a dead process on this host, is taken
// over with a conditional write on the heartbeat that was seen, so two
// machines taking over at once cannot both win.
func (s *Store) Lock(ctx context.Context, me checkpoint.Holder) (checkpoint.RunLock, *checkpoint.Holder, error) {
	prev, hb, err := s.readLock(ctx)
	if err != nil {
		return nil, nil, err
	}
	now := s.now()
	me.Heartbeat = now
	item := s.id("run")
	body, _ := json.Marshal(me)
	item["Holder"] = &ddbtypes.AttributeValueMemberS{Value: string(body)}
	item["RunID"] = &ddbtypes.AttributeValueMemberS{Value: me.RunID}
	item["Heartbeat"] = &ddbtypes.AttributeValueMemberN{Value: strconv.FormatInt(now.UnixMilli(), 10)}
	in := &ddb.PutItemInput{TableName: aws.String(s.Table), Item: item}
	if prev == nil {
		in.ConditionExpression = aws.String("attribute_not_exists(LockID)")
	} else {
		if !s.gone(*prev, hb) {
			return nil, nil, &checkpoint.LockedError{Holder: *prev, Where: "dynamodb:" + s.Table}
		}
		in.ConditionExpression = aws.String("Heartbeat = :hb")
		in.ExpressionAttributeValues = map[string]ddbtypes.AttributeValue{":hb": &ddbtypes.AttributeValueMemberN{Value: strconv.FormatInt(hb, 10)}}
	}
	if _, err := s.DB.PutItem(ctx, in); err != nil {
		if awserr.Is(err, "ConditionalCheckFailedException") {
			other, _, rerr := s.readLock(ctx)
			if rerr == nil && other != nil {
				return nil, nil, &checkpoint.LockedError{Holder: *other, Where: "dynamodb:" + s.Table}
			}
		}
		return nil, nil, fmt.Errorf("take the run lock in dynamodb:%s: %w", s.Table, err)
	}
	l := &ddbLock{s: s, runID: me.RunID, stop: make(chan struct{}), done: make(chan struct{})}
	go l.beat()
	return l, prev, nil
}

// gone reports whether a holder is provably no longer running.
func (s *Store) gone(h checkpoint.Holder, heartbeatMillis int64) bool {
	if s.now().Sub(time.UnixMilli(heartbeatMillis)) > HeartbeatTTL {
		return true
	}
	return h.Host == checkpoint.Hostname() && !checkpoint.ProcessAlive(h.PID)
}

func (s *Store) readLock(ctx context.Context) (*checkpoint.Holder, int64, error) {
	out, err := s.DB.GetItem(ctx, &ddb.GetItemInput{TableName: aws.String(s.Table), Key: s.id("run"), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, 0, fmt.Errorf("read the run lock in dynamodb:%s: %w", s.Table, err)
	}
	if out.Item == nil {
		return nil, 0, nil
	}
	h := &checkpoint.Holder{}
	if b, ok := out.Item["Holder"].(*ddbtypes.AttributeValueMemberS); ok {
		_ = json.Unmarshal([]byte(b.Value), h)
	}
	var hb int64
	if n, ok := out.Item["Heartbeat"].(*ddbtypes.AttributeValueMemberN); ok {
		hb, _ = strconv.ParseInt(n.Value, 10, 64)
	}
	h.Heartbeat = time.UnixMilli(hb)
	return h, hb, nil
}

func (s *Store) Locked(ctx context.Context) (*checkpoint.Holder, error) {
	h, hb, err := s.readLock(ctx)
	if err != nil || h == nil || s.gone(*h, hb) {
		return nil, err
	}
	return h, nil
}

type ddbLock struct {
	s     *Store
	runID string
	once  sync.Once
	stop  chan struct{}
	done  chan struct{}
}

// beat refreshes the heartbeat until Release. It stops if another run has
// taken the lock over.
func (l *ddbLock) beat() {
	defer close(l.done)
	every := l.s.Heartbeat
	if every == 0 {
		every = HeartbeatTTL / 3
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), every)
			_, err := l.s.DB.UpdateItem(ctx, &ddb.UpdateItemInput{
				TableName: aws.String(l.s.Table), Key: l.s.id("run"),
				UpdateExpression:    aws.String("SET Heartbeat = :now"),
				ConditionExpression: aws.String("RunID = :me"),
				ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{
					":now": &ddbtypes.AttributeValueMemberN{Value: strconv.FormatInt(l.s.now().UnixMilli(), 10)},
					":me":  &ddbtypes.AttributeValueMemberS{Value: l.runID},
				}})
			cancel()
			if awserr.Is(err, "ConditionalCheckFailedException") {
				return
			}
		}
	}
}

func (l *ddbLock) Release(ctx context.Context) error {
	var err error
	l.once.Do(func() {
		close(l.stop)
		<-l.done
		_, err = l.s.DB.DeleteItem(ctx, &ddb.DeleteItemInput{
			TableName: aws.String(l.s.Table), Key: l.s.id("run"),
			ConditionExpression:       aws.String("RunID = :me"),
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":me": &ddbtypes.AttributeValueMemberS{Value: l.runID}},
		})
		if awserr.Is(err, "ConditionalCheckFailedException") {
			err = nil // taken over already: nothing of ours to delete
		}
	})
	return err
}
