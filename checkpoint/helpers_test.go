package checkpoint_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tfrebuild/tfrebuild/checkpoint"
)

func TestRunIndexAndRestoreCopy(t *testing.T) {
	t.Parallel()
	c := checkpoint.New("p", "123456789012", "eu-west-2")
	c.Runs = []checkpoint.Run{{RunID: "a"}, {RunID: "b"}}
	if c.RunIndex("b") != 1 || c.RunIndex("nope") != -1 {
		t.Errorf("RunIndex: b at %d, nope at %d", c.RunIndex("b"), c.RunIndex("nope"))
	}
	rec := c.Stage("restore.orders")
	if rec.RestoreCopy() != nil || (*checkpoint.StageRecord)(nil).RestoreCopy() != nil {
		t.Error("a record without a restore has a restore copy")
	}
	rec.Restore = &checkpoint.Restore{}
	cp := rec.RestoreCopy()
	if cp == nil || cp == rec.Restore {
		t.Errorf("RestoreCopy %p of %p: want a copy", cp, rec.Restore)
	}
}

func TestCreatedIsRecordedOnceAndForgotten(t *testing.T) {
	t.Parallel()
	c := checkpoint.New("p", "123456789012", "eu-west-2")
	r := checkpoint.Created{Resource: "s3://b", Account: "123456789012", Region: "eu-west-2", Stage: "state", At: time.Now()}
	c.AddCreated(r)
	c.AddCreated(r)
	c.AddCreated(checkpoint.Created{Resource: "ecr:app", Account: "123456789012", Region: "eu-west-2"})
	if len(c.Created) != 2 {
		t.Fatalf("created %+v, want the bucket once and the registry", c.Created)
	}
	c.ForgetCreated("s3://b", "123456789012", "eu-west-2")
	c.ForgetCreated("ecr:app", "123456789012", "eu-west-2")
	if c.Created != nil {
		t.Errorf("created after forgetting everything: %+v", c.Created)
	}
}

func TestHolderAndHost(t *testing.T) {
	t.Parallel()
	h := checkpoint.Holder{RunID: "r1", PID: 42, Host: "ci-7", User: "ann", Config: "/srv/rebuild.hcl"}
	err := &checkpoint.LockedError{Holder: h, Where: "dynamodb table p-lock"}
	for _, want := range []string{"run r1", "pid 42 on ci-7", "config /srv/rebuild.hcl", "p-lock", "wait for it"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err.Error(), want)
		}
	}
	if !checkpoint.ProcessAlive(os.Getpid()) || checkpoint.ProcessAlive(0) {
		t.Error("ProcessAlive: this process should be alive, pid 0 not")
	}
	if checkpoint.Hostname() == "" {
		t.Error("empty hostname")
	}
}
