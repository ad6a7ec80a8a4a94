package bootstrap

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tfrebuild/tfrebuild/config"
	"github.com/tfrebuild/tfrebuild/internal/awserr"
	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

const region = "eu-west-2"

func session(t *testing.T, creds aws.CredentialsProvider) *Session {
	t.Helper()
	m := testenv.SharedMoto(t)
	if creds == nil {
		creds = credentials.NewStaticCredentialsProvider("testing", "testing", "")
	}
	cfg := aws.Config{Region: region, Credentials: creds, BaseEndpoint: aws.String(m.URL)}
	return NewSession(cfg, Endpoints{"s3": m.URL, "dynamodb": m.URL, "sts": m.URL, "ecr": m.URL})
}

// otherAccount returns a session acting as account 111111111111.
func otherAccount(t *testing.T) *Session {
	t.Helper()
	out, err := session(t, nil).STS.AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::111111111111:role/x"), RoleSessionName: aws.String("test")})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	return session(t, credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)))
}

func stateFor(name string) config.State {
	return config.State{Bucket: name + "-tfstate", LockTable: name + "-lock", DenyInsecureTransport: true, Encryption: "aws:kms"}
}

func TestFreshBootstrapThenIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := session(t, nil)
	st := stateFor("fresh")
	opts := Options{Project: "fresh", Target: "t/fresh", Tags: map[string]string{"team": "sre"}}
	rep, err := s.EnsureBucket(ctx, testenv.Account, st, opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Changes[0].Action != Create || !rep.Changes[0].Applied {
		t.Errorf("first change should be the create: %v", rep)
	}
	b := aws.String(st.Bucket)
	ver, _ := s.S3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
	enc, _ := s.S3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
	pab, _ := s.S3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
	own, _ := s.S3.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b})
	pol, _ := s.S3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
	tags, _ := s.S3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
	loc, _ := s.S3.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: b})
	switch {
	case ver == nil || ver.Status != s3types.BucketVersioningStatusEnabled:
		t.Error("versioning not enabled")
	case enc == nil || enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != s3types.ServerSideEncryptionAwsKms:
		t.Error("SSE-KMS not set")
	case !aws.ToBool(enc.ServerSideEncryptionConfiguration.Rules[0].BucketKeyEnabled):
		t.Error("bucket key not enabled")
	case pab == nil || !aws.ToBool(pab.PublicAccessBlockConfiguration.RestrictPublicBuckets) || !aws.ToBool(pab.PublicAccessBlockConfiguration.BlockPublicAcls):
		t.Error("public access block not set")
	case own == nil || own.OwnershipControls.Rules[0].ObjectOwnership != s3types.ObjectOwnershipBucketOwnerEnforced:
		t.Error("ownership not enforced")
	case pol == nil || !strings.Contains(aws.ToString(pol.Policy), `"aws:SecureTransport":"false"`):
		t.Errorf("deny-insecure-transport policy missing: %v", pol)
	case tags == nil || len(tags.TagSet) != 4:
		t.Errorf("tags: %+v", tags)
	case loc == nil || string(loc.LocationConstraint) != region:
		t.Errorf("bucket region: %+v", loc)
	}

	trep, err := s.EnsureLockTable(ctx, st.LockTable, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(trep.Changes) == 0 || trep.Changes[0].Action != Create {
		t.Errorf("table report: %v", trep)
	}
	d, err := s.DDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(st.LockTable)})
	if err != nil {
		t.Fatal(err)
	}
	if d.Table.TableStatus != ddbtypes.TableStatusActive || d.Table.BillingModeSummary.BillingMode != ddbtypes.BillingModePayPerRequest ||
		aws.ToString(d.Table.KeySchema[0].AttributeName) != LockKey || d.Table.SSEDescription == nil {
		t.Errorf("table settings: %+v", d.Table)
	}
	pitr, _ := s.DDB.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String(st.LockTable)})
	if pitr.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus != ddbtypes.PointInTimeRecoveryStatusEnabled {
		t.Error("point-in-time recovery not enabled")
	}

	regs := []*config.Registry{{Name: "fresh-api", ScanOnPush: true, Immutable: true, Encryption: "AES256",
		LifecyclePolicy: `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":3},"action":{"type":"expire"}}]}`}}
	if _, err := s.EnsureRegistries(ctx, regs, opts); err != nil {
		t.Fatal(err)
	}
	repo, err := s.ECR.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"fresh-api"}})
	if err != nil {
		t.Fatal(err)
	}
	if r := repo.Repositories[0]; !r.ImageScanningConfiguration.ScanOnPush || r.ImageTagMutability != "IMMUTABLE" {
		t.Errorf("repository settings: %+v", r)
	}
	if _, err := s.ECR.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: aws.String("fresh-api")}); err != nil {
		t.Errorf("lifecycle policy: %v", err)
	}

	// A second run finds everything in place and changes nothing.
	for name, rep := range map[string]func() (*Report, error){
		"bucket":     func() (*Report, error) { return s.EnsureBucket(ctx, testenv.Account, st, opts) },
		"table":      func() (*Report, error) { return s.EnsureLockTable(ctx, st.LockTable, opts) },
		"registries": func() (*Report, error) { return s.EnsureRegistries(ctx, regs, opts) },
	} {
		r, err := rep()
		if err != nil {
			t.Fatalf("%s second run: %v", name, err)
		}
		if len(r.Changes) != 0 {
			t.Errorf("%s second run changed something: %v", name, r)
		}
	}
}

func TestGuard(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := session(t, nil)
	if _, err := s.Guard(ctx, config.Target{AccountID: testenv.Account, Region: region}); err != nil {
		t.Fatalf("guard refused the right account: %v", err)
	}
	_, err := s.Guard(ctx, config.Target{AccountID: "999999999999", Region: region})
	var ge *GuardError
	if !errors.As(err, &ge) || !strings.Contains(err.Error(), "999999999999") || !strings.Contains(err.Error(), testenv.Account) {
		t.Fatalf("want a guard error naming both accounts, got %v", err)
	}
	s.CallerRegion = "us-east-1"
	_, err = s.Guard(ctx, config.Target{AccountID: testenv.Account, Region: region})
	if !errors.As(err, &ge) || ge.What != "region" || !strings.Contains(err.Error(), "us-east-1") {
		t.Fatalf("want a region guard error, got %v", err)
	}
}

func TestForeignBucketIsAHardStop(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	other := otherAccount(t)
	name := "taken-by-another-account"
	_, err := other.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: region}})
	if err != nil {
		t.Fatal(err)
	}
	s := session(t, nil)
	st := config.State{Bucket: name, DenyInsecureTransport: true, Encryption: "aws:kms"}
	for _, dry := range []bool{true, false} {
		_, err = s.EnsureBucket(ctx, testenv.Account, st, Options{Project: "x", Target: "t/x", DryRun: dry})
		var fe *ForeignBucketError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), "another AWS account") || !strings.Contains(err.Error(), name+"-"+testenv.Account+"-"+region) {
			t.Fatalf("dry run %t: want a foreign-bucket error with a suggested name, got %v", dry, err)
		}
	}
	// Nothing was written: versioning, tags and policy are still untouched.
	ver, err := other.S3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(name)})
	if err != nil || ver.Status != "" {
		t.Errorf("the foreign bucket was modified: %+v %v", ver, err)
	}
	if _, err := other.S3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(name)}); !awserr.Is(err, "NoSuchBucketPolicy") {
		t.Errorf("a policy appeared on the foreign bucket: %v", err)
	}
}

func TestExistingBucketDriftAndRepair(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := session(t, nil)
	st := stateFor("restore")
	_, err := s.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(st.Bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: region}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.S3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(st.Bucket),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Sid":"Audit","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::restore-tfstate/*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Project: "restore", Target: "t/restore", Converge: true}
	rep, err := s.EnsureBucket(ctx, testenv.Account, st, opts)
	if err != nil {
		t.Fatal(err)
	}
	drift := driftOf(rep)
	if len(drift) == 0 || !strings.Contains(rep.String(), "versioning") {
		t.Fatalf("want versioning drift reported, got %v", rep)
	}
	ver, _ := s.S3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(st.Bucket)})
	if ver.Status == s3types.BucketVersioningStatusEnabled {
		t.Fatal("drift was fixed without --repair-state")
	}
	opts.Repair = true
	if _, err := s.EnsureBucket(ctx, testenv.Account, st, opts); err != nil {
		t.Fatal(err)
	}
	ver, _ = s.S3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(st.Bucket)})
	if ver.Status != s3types.BucketVersioningStatusEnabled {
		t.Error("repair did not enable versioning")
	}
	pol, _ := s.S3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(st.Bucket)})
	if p := aws.ToString(pol.Policy); !strings.Contains(p, `"Sid":"Audit"`) || !strings.Contains(p, DenyInsecureTransportSid) {
		t.Errorf("merged policy lost a statement: %s", p)
	}
	opts.Repair = false
	rep, err = s.EnsureBucket(ctx, testenv.Account, st, opts)
	if err != nil || len(rep.Changes) != 0 {
		t.Errorf("after repair: %v %v", rep, err)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := session(t, nil)
	st := stateFor("dryrun")
	opts := Options{Project: "dryrun", Target: "t/dryrun", DryRun: true}
	b, err := s.EnsureBucket(ctx, testenv.Account, st, opts)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := s.EnsureLockTable(ctx, st.LockTable, opts)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.EnsureRegistries(ctx, []*config.Registry{{Name: "dryrun-api", Encryption: "AES256"}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, rep := range []*Report{b, tb, r} {
		if len(rep.Changes) != 1 || rep.Changes[0].Action != Create || rep.Changes[0].Applied {
			t.Errorf("dry run report: %v", rep)
		}
	}
	if _, err := s.S3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(st.Bucket)}); err == nil {
		t.Error("dry run created the bucket")
	}
	if _, err := s.DDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(st.LockTable)}); err == nil {
		t.Error("dry run created the table")
	}
}

func TestLockTableWithWrongKeySchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := session(t, nil)
	_, err := s.DDB.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("wrong-key"),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeN}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.EnsureLockTable(ctx, "wrong-key", Options{Project: "x", Target: "t/x"})
	var ke *KeySchemaError
	if !errors.As(err, &ke) || !strings.Contains(err.Error(), "id HASH (N)") {
		t.Fatalf("want a key schema error, got %v", err)
	}
}
