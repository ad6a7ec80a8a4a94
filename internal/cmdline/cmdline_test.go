package cmdline

import (
	"os/exec"
	"strings"
	"testing"
)

func TestQuoteRoundTripsThroughAShell(t *testing.T) {
	t.Parallel()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	for _, s := range []string{"rebuild.hcl", "dr config.hcl", "it's.hcl", "a$b", "x;rm -rf y", "", "s3://b/k?versionId=1", `back\slash"q`} {
		out, err := exec.Command(sh, "-c", "printf %s "+Quote(s)).Output()
		if err != nil || string(out) != s {
			t.Errorf("Quote(%q) = %s: the shell reads %q (%v)", s, Quote(s), out, err)
		}
	}
	if Quote("prod.hcl") != "prod.hcl" || Quote("--with") != "--with" {
		t.Error("plain words are quoted")
	}
}

func TestTfrebuildCommands(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ got, want string }{
		{Tfrebuild("apply", "prod.hcl", nil, Scope([]string{"green"}, nil, false)...), "tfrebuild apply --config prod.hcl --with green"},
		{Tfrebuild("apply", "dr config.hcl", nil, Scope(nil, []string{"blue"}, true)...), "tfrebuild apply --config 'dr config.hcl' --only blue --with-deps"},
		{Tfrebuild("confirm", "prod.hcl", []string{"handoff"}), "tfrebuild confirm handoff --config prod.hcl"},
		{Tfrebuild("destroy", "drill.hcl", nil, "--all", "--yes"), "tfrebuild destroy --config drill.hcl --all --yes"},
	} {
		if tc.got != tc.want {
			t.Errorf("got  %s\nwant %s", tc.got, tc.want)
		}
	}
}

func TestAWSNamesRegionAndAccount(t *testing.T) {
	t.Parallel()
	here := Where{Region: "eu-west-1", Account: "123456789012"}
	if got := AWS(here, "dynamodb", "delete-table", "--table-name", "orders"); got != "aws dynamodb delete-table --table-name orders --region eu-west-1" {
		t.Errorf("target account: %s", got)
	}
	mgmt := Where{Region: "eu-west-2", Account: "210987654321", Label: "mgmt", RoleARN: "arn:aws:iam::210987654321:role/dr", Other: true}
	got := AWS(mgmt, "ecr", "describe-images", "--repository-name", "api")
	if !strings.HasPrefix(got, "aws ecr describe-images --repository-name api --region eu-west-2  # with credentials for account mgmt (210987654321), e.g. by assuming arn:aws:iam::210987654321:role/dr") {
		t.Errorf("another account: %s", got)
	}
}
