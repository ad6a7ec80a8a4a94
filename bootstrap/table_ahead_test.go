package bootstrap

import (
	"context"
	"errors"
	"testing"
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
