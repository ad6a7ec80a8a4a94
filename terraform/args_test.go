package terraform

import (
	"strings"
	"testing"
)

// The command lines tfrebuild builds keep terraform-exec's defaults flag
// for flag (what it ran before), and put values where they belong.
func TestCommandArguments(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		got  []string
		want string
	}{
		{"init with a backend", initOptions{BackendConfig: "/w/backend.hcl"}.args(),
			"init -no-color -input=false -backend=true -get=true -upgrade=false -reconfigure -backend-config=/w/backend.hcl"},
		{"init with a backend, committed lock", initOptions{BackendConfig: "/w/backend.hcl", Lockfile: lockfileReadonly}.args(),
			"init -no-color -input=false -backend=true -get=true -upgrade=false -reconfigure -backend-config=/w/backend.hcl -lockfile=readonly"},
		{"init of a wrapper root, committed lock", initOptions{Lockfile: lockfileReadonly}.args(),
			"init -no-color -input=false -backend=true -get=true -upgrade=false -lockfile=readonly"},
		{"apply that plans", applyOptions{LockTimeout: "60s", VarFiles: []string{"/u/a.tfvars", "/w/inputs.tfvars.json"}}.args(),
			"apply -no-color -auto-approve -input=false -lock-timeout=60s -var-file=/u/a.tfvars -var-file=/w/inputs.tfvars.json -lock=true -parallelism=10 -refresh=true -json"},
		{"apply of a saved plan takes no var file", applyOptions{LockTimeout: "60s", VarFiles: []string{"/w/inputs.tfvars.json"}, SavedPlan: "/w/plan.tfplan"}.args(),
			"apply -no-color -auto-approve -input=false -lock-timeout=60s -lock=true -parallelism=10 -refresh=true -json /w/plan.tfplan"},
		{"destroy plan", planOptions{LockTimeout: "60s", VarFiles: []string{"/w/v.json"}, Out: "/w/plan.tfplan", Mode: planDestroy, Locking: lockState}.args(),
			"plan -no-color -input=false -detailed-exitcode -lock-timeout=60s -out=/w/plan.tfplan -var-file=/w/v.json -lock=true -parallelism=10 -refresh=true -destroy -json"},
		{"read-only plan", planOptions{LockTimeout: "0s", Out: "/w/p", Locking: noStateLock}.args(),
			"plan -no-color -input=false -detailed-exitcode -lock-timeout=0s -out=/w/p -lock=false -parallelism=10 -refresh=true -json"},
		{"the zero plan locks the state", planOptions{LockTimeout: "0s", Out: "/w/p"}.args(),
			"plan -no-color -input=false -detailed-exitcode -lock-timeout=0s -out=/w/p -lock=true -parallelism=10 -refresh=true -json"},
		{"apply under a state lock the caller holds", applyOptions{LockTimeout: "60s", SavedPlan: "/w/plan.tfplan", Locking: noStateLock}.args(),
			"apply -no-color -auto-approve -input=false -lock-timeout=60s -lock=false -parallelism=10 -refresh=true -json /w/plan.tfplan"},
		{"import under a state lock the caller holds", importOptions{LockTimeout: "60s", Address: "a.b", ID: "x", Locking: noStateLock}.args(),
			"import -no-color -input=false -lock-timeout=60s -lock=false a.b x"},
		{"import: address and id last", importOptions{LockTimeout: "60s", VarFiles: []string{"/w/v.json"}, Address: "aws_dynamodb_table.t", ID: "orders"}.args(),
			"import -no-color -input=false -lock-timeout=60s -var-file=/w/v.json -lock=true aws_dynamodb_table.t orders"},
	}
	for _, c := range cases {
		if got := strings.Join(c.got, " "); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}
