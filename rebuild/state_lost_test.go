package rebuild

import (
	"strings"
	"testing"
	"time"

	"github.com/tfrebuild/tfrebuild/terraform"
	"github.com/tfrebuild/tfrebuild/tfstate"
)

// A state object deleted from the bucket after the stack was applied: the
// next apply does not run Terraform on an empty state (which would try to
// create all the stack has) but says what happened, lists the versions
// the bucket keeps and gives the command that restores the newest.
func TestALostStateIsReportedWithItsVersions(t *testing.T) {
	t.Parallel()
	w, bc, ptf := appliedStateWorld(t)
	key := terraform.StateKey("p", "base")
	bc.mu.Lock()
	delete(bc.objects, key)
	bc.mu.Unlock()
	bc.noState = map[string]bool{key: true}
	at := time.Date(2026, 12, 6, 7, 0, 0, 0, time.UTC)
	bc.versions = []tfstate.Version{{ID: "dm1", Modified: at.Add(time.Hour), Latest: true, Deleted: true}, {ID: "v1", Modified: at, Size: 321}}
	err := applyWith(t, w, bc, ptf)
	if err == nil {
		t.Fatalf("apply with base's state deleted succeeded; Terraform calls %v", ptf.processes())
	}
	for _, want := range []string{"s3://p-tfstate/" + key + ", is gone", "2026-12-06T07:00:00Z  version v1, 321 bytes",
		"aws s3api copy-object --bucket p-tfstate --key " + key + " --copy-source 'p-tfstate/" + key + "?versionId=v1'", "--region eu-west-2", "then continue with:\n  tfrebuild apply --config "} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q:\n%v", want, err)
		}
	}
	for _, p := range ptf.processes() {
		if strings.HasPrefix(p, "apply ") {
			t.Errorf("Terraform applied on the lost state: %s", p)
		}
	}
}

func TestRestoreAdviceWithoutVersions(t *testing.T) {
	t.Parallel()
	if got := restoreAdvice(tfstate.Location{Bucket: "b", Key: "k"}, "", nil, "tfrebuild apply --config rebuild.hcl"); !strings.Contains(got, "keeps no earlier version") {
		t.Errorf("advice without versions: %q", got)
	}
}
