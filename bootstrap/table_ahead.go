package bootstrap

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// tableAhead are the reads of an existing lock table's tags and
// point-in-time recovery, started beside its DescribeTable: a new
// rebuild's state stage checks both every time, and neither needs to wait
// for the description. The tags are read under the ARN the table has in
// the session's account and region; a description with another ARN, a
// table just created, or a read that failed (no table yet) is read again,
// as without them.
type tableAhead struct {
	arn      string
	done     chan struct{}
	tags     map[string]string
	tagsErr  error
	pitr     *dynamodb.DescribeContinuousBackupsOutput
	pitrErr  error
	pitrUsed atomic.Bool
}

// readTableAhead starts the two reads; nil when the session does not
// know its account (the ARN cannot be told).
func (s *Session) readTableAhead(ctx context.Context, table string) *tableAhead {
	if s.Account.ID == "" || s.Config.Region == "" {
		return nil
	}
	a := &tableAhead{arn: tableARN(s.Config.Region, s.Account.ID, table), done: make(chan struct{})}
	var wg sync.WaitGroup
	wg.Go(func() { a.tags, a.tagsErr = s.tableTags(ctx, a.arn) })
	wg.Go(func() {
		a.pitr, a.pitrErr = s.DDB.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String(table)})
	})
	go func() { wg.Wait(); close(a.done) }()
	return a
}

// tableARN is a DynamoDB table's ARN in a region's partition.
func tableARN(region, account, table string) string {
	partition := "aws"
	switch {
	case strings.HasPrefix(region, "cn-"):
		partition = "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		partition = "aws-us-gov"
	}
	return "arn:" + partition + ":dynamodb:" + region + ":" + account + ":table/" + table
}

func (a *tableAhead) wait(ctx context.Context) bool {
	select {
	case <-a.done:
		return true
	case <-ctx.Done():
		return false
	}
}

// tagsOf returns the tags read ahead when they were read under arn.
func (a *tableAhead) tagsOf(ctx context.Context, arn string) (map[string]string, bool) {
	if a == nil || a.arn != arn || !a.wait(ctx) || a.tagsErr != nil {
		return nil, false
	}
	return a.tags, true
}

// takePITR returns the point-in-time recovery read ahead, once: a check
// made again after a fix reads afresh.
func (a *tableAhead) takePITR(ctx context.Context) (*dynamodb.DescribeContinuousBackupsOutput, bool) {
	if a == nil || !a.pitrUsed.CompareAndSwap(false, true) || !a.wait(ctx) || a.pitrErr != nil {
		return nil, false
	}
	return a.pitr, true
}
