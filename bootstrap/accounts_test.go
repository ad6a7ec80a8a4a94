package bootstrap

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

// In moto, assuming arn:aws:iam::111111111111:role/x gives credentials
// that act as account 111111111111.
const mgmtID = "111111111111"

var (
	targetAcct = Account{ID: testenv.Account, Region: region}
	mgmtAcct   = Account{Name: "management", ID: mgmtID, Region: region, RoleARN: "arn:aws:iam::" + mgmtID + ":role/x"}
)

// sessionsAt opens sessions against moto m with the base test credentials.
func sessionsAt(m *testenv.Moto) *Sessions {
	cfg := aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", ""), BaseEndpoint: aws.String(m.URL)}
	return NewSessions(cfg, Endpoints{"s3": m.URL, "dynamodb": m.URL, "sts": m.URL, "ecr": m.URL}, "accounts")
}

func openFor(t *testing.T, ss *Sessions, a Account) *Session {
	t.Helper()
	s, err := ss.For(a)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSessionsCachePerAccount(t *testing.T) {
	t.Parallel()
	ss := sessionsAt(testenv.SharedMoto(t))
	a, b := openFor(t, ss, mgmtAcct), openFor(t, ss, mgmtAcct)
	if a != b {
		t.Error("the same account opened two sessions")
	}
	if c := openFor(t, ss, targetAcct); c == a || c.Config.Region != region {
		t.Errorf("the target shares the management session or lost its region: %+v", c.Account)
	}
	// Stages in parallel ask for the same account: one session.
	got := make(chan *Session, 8)
	for range cap(got) {
		go func() { s, _ := ss.For(mgmtAcct); got <- s }()
	}
	for range cap(got) {
		if s := <-got; s != a {
			t.Error("a concurrent caller opened a second session")
		}
	}
	other := mgmtAcct
	other.ID = "222222222222"
	if _, err := ss.For(other); err == nil || !strings.Contains(err.Error(), `account "management"`) {
		t.Errorf("one name with two account ids: want an error naming the block, got %v", err)
	}
}

func TestGuardEveryAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ss := sessionsAt(testenv.SharedMoto(t))
	ids, err := ss.Guard(ctx, targetAcct, mgmtAcct, mgmtAcct)
	if err != nil {
		t.Fatalf("guard refused accounts the caller reaches: %v", err)
	}
	if ids[""].Account != testenv.Account || ids["management"].Account != mgmtID || !strings.Contains(ids["management"].ARN, "assumed-role/x") {
		t.Errorf("identities: %+v", ids)
	}
}

// TestGuardRefusesBeforeAnyWrite gives the guard its own moto, so that
// "nothing was written" can be checked in every account it holds.
func TestGuardRefusesBeforeAnyWrite(t *testing.T) {
	t.Parallel()
	testenv.Require(t, "moto_server")
	ctx := context.Background()
	m, err := testenv.StartMoto(ctx, filepath.Join(t.TempDir(), "moto.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Stop)
	ss := sessionsAt(m)
	wrongRole := mgmtAcct
	wrongRole.ID = "222222222222"
	noRole := Account{Name: "logs", ID: "444444444444", Region: region}
	audit := Account{Name: "audit", ID: "333333333333", Region: region, RoleARN: "arn:aws:iam::333333333333:role/audit"}
	_, err = ss.Guard(ctx, targetAcct, wrongRole, audit, noRole)
	if err == nil {
		t.Fatal("guard let a role that leads to another account through")
	}
	msg := err.Error()
	for _, want := range []string{
		`account "management": role arn:aws:iam::111111111111:role/x leads to account 111111111111`,
		"account_id is 222222222222",
		`account "logs": the credentials belong to account 123456789012`,
		"nothing was written",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("guard error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "audit") || strings.Contains(msg, "target:") {
		t.Errorf("guard blamed an account that passed:\n%s", msg)
	}
	var ge *GuardError
	if !errors.As(err, &ge) || ge.Block != `account "management"` || ge.Got != mgmtID {
		t.Errorf("want the first failure as a *GuardError, got %#v", ge)
	}
	for _, a := range []Account{targetAcct, wrongRole, audit} {
		assertEmpty(t, openFor(t, ss, a))
	}
}

// assertEmpty fails when the session's account holds any bucket,
// repository or table.
func assertEmpty(t *testing.T, s *Session) {
	t.Helper()
	ctx := context.Background()
	b, err := s.S3.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || len(b.Buckets) != 0 {
		t.Errorf("%s: buckets %+v, %v", s.Account.Label(), b, err)
	}
	r, err := s.ECR.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
	if err != nil || len(r.Repositories) != 0 {
		t.Errorf("%s: repositories %+v, %v", s.Account.Label(), r, err)
	}
	d, err := s.DDB.ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil || len(d.TableNames) != 0 {
		t.Errorf("%s: tables %+v, %v", s.Account.Label(), d, err)
	}
}

func TestStateInItsOwnAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ss := sessionsAt(testenv.SharedMoto(t))
	mgmt, target := openFor(t, ss, mgmtAcct), openFor(t, ss, targetAcct)
	st := stateFor("acct-state")
	opts := Options{Project: "acct-state", Target: "t/acct-state"}
	if _, err := mgmt.EnsureBucket(ctx, mgmtID, st, opts); err != nil {
		t.Fatal(err)
	}
	if _, err := mgmt.EnsureLockTable(ctx, st.LockTable, opts); err != nil {
		t.Fatal(err)
	}
	if owned, err := mgmt.listsBucket(ctx, st.Bucket); err != nil || !owned {
		t.Errorf("the state account does not own its bucket: %t %v", owned, err)
	}
	if owned, err := target.listsBucket(ctx, st.Bucket); err != nil || owned {
		t.Errorf("the bucket landed in the target account: %t %v", owned, err)
	}
	if ok, err := target.TableExists(ctx, st.LockTable); err != nil || ok {
		t.Errorf("the lock table landed in the target account: %t %v", ok, err)
	}
	if ok, err := mgmt.TableExists(ctx, st.LockTable); err != nil || !ok {
		t.Errorf("the lock table is not in the state account: %t %v", ok, err)
	}
}

// pullPolicy reads a repository policy back: its statement ids and the
// principals and actions of tfrebuild's statement.
func pullPolicy(t *testing.T, s *Session, repo string) (sids, principals, actions []string) {
	t.Helper()
	out, err := s.ECR.GetRepositoryPolicy(context.Background(), &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String(repo)})
	if err != nil {
		t.Fatalf("read the policy of %s: %v", repo, err)
	}
	var doc struct {
		Statement []struct {
			Sid       string
			Principal struct{ AWS stringList }
			Action    stringList
		}
	}
	if err := json.Unmarshal([]byte(aws.ToString(out.PolicyText)), &doc); err != nil {
		t.Fatal(err)
	}
	for _, st := range doc.Statement {
		sids = append(sids, st.Sid)
		if st.Sid == CrossAccountPullSid {
			principals, actions = st.Principal.AWS, st.Action
		}
	}
	return sids, principals, actions
}
