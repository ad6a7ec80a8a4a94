package tfstate

import (
	"context"
	"fmt"
	"testing"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

const mgmtID = "111111111111"

// The state of a config whose state block names another account is in
// that account: its region, its ID as the bucket's owner.
func TestLocateInTheStateAccount(t *testing.T) {
	t.Parallel()
	cfg := &config.Config{Project: "p",
		Target:   config.Target{AccountID: testenv.Account, Region: "eu-west-2"},
		Accounts: []*config.Account{{Name: "mgmt", AccountID: mgmtID, Region: "eu-west-1"}},
		State:    config.State{Account: "mgmt", Bucket: "p-tfstate", LockTable: "p-lock", UseLockfile: true, KMSKeyID: "k"},
	}
	got := Locate(cfg, "app")
	want := Location{Bucket: "p-tfstate", Key: "p/app/terraform.tfstate", Region: "eu-west-1", Account: "mgmt", Owner: mgmtID,
		LockTable: "p-lock", UseLockfile: true, KMSKeyID: "k"}
	if got != want {
		t.Errorf("Locate: %+v, want %+v", got, want)
	}
	cfg.State.Account = ""
	if got := Locate(cfg, "app"); got.Owner != testenv.Account || got.Region != "eu-west-2" || got.String() != "s3://p-tfstate/p/app/terraform.tfstate" {
		t.Errorf("Locate in the target: %+v", got)
	}
}

// A state kept in a second account (reached by assume-role) is read,
// checked and unlocked with that account's client, as its owner.
func TestStateInASecondAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newBed(t, mgmtID, "arn:aws:iam::"+mgmtID+":role/x", true)
	b.put(b.loc.Key, fmt.Sprintf(stateJSON, 1))
	if outs, exists, err := b.client.Outputs(ctx, b.loc); err != nil || !exists || outs.Values["url"].AsString() != "https://app" {
		t.Fatalf("outputs in the second account: %+v %v %v", outs, exists, err)
	}
	b.lockItem(fmt.Sprintf(lockJSON, "m-1"))
	if err := b.client.ForceUnlock(ctx, b.loc, "m-1"); err != nil {
		t.Fatal(err)
	}
	// The target's own client finds no such lock table: the lock lives
	// in the state's account alone.
	target := clientFor(awsConfig(t, testenv.SharedMoto(t), ""))
	if _, err := target.Lock(ctx, b.loc); err == nil {
		t.Error("the target account read the state account's lock table")
	}
}
