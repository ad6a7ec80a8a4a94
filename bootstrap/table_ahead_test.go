package bootstrap

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The reads made ahead are used only under the ARN the description
// gives, only when they succeeded, and the point-in-time recovery read
// only once (a check made again after a fix reads afresh).
func TestTableAheadIsUsedOnlyWhenItFits(t *testing.T) {
	ctx := context.Background()
	if got := tableARN("cn-north-1", "123456789012", "locks"); got != "arn:aws-cn:dynamodb:cn-north-1:123456789012:table/locks" {
		t.Errorf("ARN in China: %s", got)
	}
	a := &tableAhead{arn: tableARN("eu-west-2", "123456789012", "locks"), done: make(chan struct{}), tags: map[string]string{"k": "v"}}
	close(a.done)
	if _, ok := a.tagsOf(ctx, "arn:aws:dynamodb:eu-west-2:123456789012:table/other"); ok {
		t.Error("tags read under another ARN were used")
	}
	if tags, ok := a.tagsOf(ctx, "arn:aws:dynamodb:eu-west-2:123456789012:table/locks"); !ok || tags["k"] != "v" {
		t.Errorf("tags read under the table's ARN: %v %v", tags, ok)
	}
	if _, ok := a.takePITR(ctx); !ok {
		t.Error("the point-in-time recovery read ahead was not used")
	}
	if _, ok := a.takePITR(ctx); ok {
		t.Error("the point-in-time recovery read ahead was used twice")
	}
	failed := &tableAhead{arn: a.arn, done: a.done, tagsErr: errors.New("ResourceNotFoundException"), pitrErr: errors.New("ResourceNotFoundException")}
	if _, ok := failed.tagsOf(ctx, a.arn); ok {
		t.Error("a failed tags read was used")
	}
	if _, ok := failed.takePITR(ctx); ok {
		t.Error("a failed point-in-time recovery read was used")
	}
	var none *tableAhead
	if _, ok := none.tagsOf(ctx, a.arn); ok {
		t.Error("no reads ahead, yet tags")
	}
}

// A lock table proved by the run lease's write needs no description on a
// resume's critical path: EnsureLockTable leaves it, with the settings,
// to the Report's Later, which then finds what drifted.
func TestAProvedLockTableIsDescribedLater(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := session(t, nil)
	opts := Options{Project: "proved", DriftLater: true, TableProved: true}
	// No such table: a description made now would say so.
	rep, err := s.EnsureLockTable(ctx, "proved-no-such-table", opts)
	if err != nil || len(rep.Changes) != 0 || rep.Later == nil {
		t.Fatalf("a proved table was looked at now: %+v %v", rep, err)
	}
	if _, err := rep.Later(ctx); err == nil {
		t.Error("the later check of a table that does not exist found nothing")
	}
	// A table with point-in-time recovery off: the later check reports it.
	if _, err := s.EnsureLockTable(ctx, "proved-table", Options{Project: "proved"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DDB.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: aws.String("proved-table"),
		PointInTimeRecoverySpecification: &ddbtypes.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(false)}}); err != nil {
		t.Fatal(err)
	}
	rep, err = s.EnsureLockTable(ctx, "proved-table", opts)
	if err != nil || rep.Later == nil {
		t.Fatal(rep, err)
	}
	later, err := rep.Later(ctx)
	if err != nil || len(later.Changes) != 1 || later.Changes[0].Action != Drift {
		t.Errorf("the later check: %+v %v", later, err)
	}
}
