package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/tfrebuild/tfrebuild/bench/latency"
	"github.com/tfrebuild/tfrebuild/terraform"
)

// runAll is the comparison a team would script without tfrebuild: the
// bootstrap and the DynamoDB restore through the SDK, the restored table
// imported, then every stack in dependency order as Terragrunt's `run
// --all` does (init + apply -auto-approve each, blue and green at once),
// then the S3 restore. Its waits poll every second.
type runAll struct {
	tf, stacks, project, work string
	endpoint                  string
	environ                   []string
	aws                       clients
	proxy                     *latency.Proxy
	outs                      map[string]map[string]any
	pieces                    pieces
	failLink                  bool // link's apply fails (real_resume.go)
}

const scriptPoll = time.Second

// rebuild runs the whole script and returns its wall time; r.pieces
// holds each part's time.
func (r *runAll) rebuild(ctx context.Context) (time.Duration, error) {
	r.pieces = pieces{init: map[string]time.Duration{}, apply: map[string]time.Duration{}}
	r.outs = map[string]map[string]any{}
	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	part := func(i int, into *time.Duration, f func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.Now()
			errs[i] = f(ctx)
			*into = time.Since(t)
		}()
	}
	var lockWait, restoreWait time.Duration
	part(0, &r.pieces.bucket, r.bucket)
	part(1, &lockWait, r.lockTable)
	part(2, &r.pieces.registry, r.registry)
	part(3, &restoreWait, r.restore)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return 0, err
		}
	}
	// The cloud's own times (the proxy knows when each table turned
	// ACTIVE), not the script's polling, go into the lower bound.
	r.pieces.lock = r.proxy.ActiveAt(r.project + "-lock").Sub(start)
	r.pieces.restore = r.proxy.ActiveAt(r.project + "-orders").Sub(start)

	t := time.Now()
	if err := r.init(ctx, "shared"); err != nil {
		return 0, err
	}
	r.pieces.init["shared"] = time.Since(t)
	t = time.Now()
	if _, err := r.tfStack(ctx, "shared", "import", "-input=false", "-var-file="+r.vars("shared"), "aws_dynamodb_table.orders", r.project+"-orders"); err != nil {
		return 0, err
	}
	r.pieces.imp = time.Since(t)

	var runInit = map[string]time.Duration{}
	for _, level := range [][]string{{"shared"}, {"blue", "green"}, {"link"}} {
		if err := r.level(ctx, level, true, runInit); err != nil {
			return 0, err
		}
	}
	for _, s := range []string{"blue", "green", "link"} {
		r.pieces.init[s] = runInit[s]
	}
	t = time.Now()
	if err := r.copyUploads(ctx); err != nil {
		return 0, err
	}
	r.pieces.s3 = time.Since(t)
	return time.Since(start), nil
}

// level runs stacks at once, each init (when asked) then apply, and
// reads their outputs afterwards (untimed).
func (r *runAll) level(ctx context.Context, stacks []string, init bool, inits map[string]time.Duration) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	errs := make([]error, len(stacks))
	for i, s := range stacks {
		if err := r.writeVars(s); err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.Now()
			if init {
				if errs[i] = r.init(ctx, s); errs[i] != nil {
					return
				}
			}
			ti := time.Now()
			_, errs[i] = r.tfStack(ctx, s, "apply", "-input=false", "-auto-approve", "-var-file="+r.vars(s))
			mu.Lock()
			inits[s], r.pieces.apply[s] = ti.Sub(t), time.Since(ti)
			mu.Unlock()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	for _, s := range stacks {
		if err := r.readOutputs(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// applyAgain applies every stack again directly (no init: the working
// dirs are initialised), in dependency order, and returns the critical
// path: shared + the slower of blue and green + link.
func (r *runAll) applyAgain(ctx context.Context) (time.Duration, error) {
	r.pieces.apply = map[string]time.Duration{}
	for _, level := range [][]string{{"shared"}, {"blue", "green"}, {"link"}} {
		if err := r.level(ctx, level, false, map[string]time.Duration{}); err != nil {
			return 0, err
		}
	}
	return criticalPath(r.pieces.apply), nil
}

func (r *runAll) dir(stack string) string { return filepath.Join(r.work, stack) }
func (r *runAll) src(stack string) string { return filepath.Join(r.dir(stack), "src") }
func (r *runAll) vars(stack string) string {
	return filepath.Join(r.dir(stack), "vars.json")
}

// init runs `terraform init` for a stack against the side's backend.
func (r *runAll) init(ctx context.Context, stack string) error {
	// Each stack runs in a copy of its code of its own, as Terragrunt's
	// cache does: blue and green share env/, and two inits in one folder
	// race on its local state file (one reads the other's empty one).
	if _, err := os.Stat(r.src(stack)); err != nil {
		if err := copyStacks(filepath.Join(r.stacks, source(stack)), r.src(stack)); err != nil {
			return err
		}
	}
	ep := map[string]string{"s3": r.endpoint, "dynamodb": r.endpoint, "sts": r.endpoint, "iam": r.endpoint}
	be := terraform.Backend{Bucket: r.project + "-tfstate", Key: terraform.StateKey(r.project, stack), Region: realRegion,
		LockTable: r.project + "-lock", Endpoints: ep}
	backend := filepath.Join(r.dir(stack), "backend.hcl")
	if err := os.WriteFile(backend, []byte(be.HCL()), 0o600); err != nil {
		return err
	}
	if err := r.writeVars(stack); err != nil {
		return err
	}
	_, err := r.tfStack(ctx, stack, "init", "-input=false", "-reconfigure", "-backend-config="+backend)
	return err
}

// inputs are a stack's variables, from the outputs of its upstreams.
func (r *runAll) inputs(stack string) map[string]any {
	in := map[string]any{"region": realRegion, "aws_endpoint": r.endpoint, "project": r.project}
	switch stack {
	case "shared":
		in["account_id"] = realAccount
	case "blue", "green":
		in["colour"] = stack
		in["image"] = fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com/%s-api:stable", realAccount, realRegion, r.project)
		in["orders_table"], in["uploads_bucket"] = r.outs["shared"]["orders_table"], r.outs["shared"]["uploads_bucket"]
	case "link":
		in["blue_url"], in["green_url"], in["api_key"] = r.outs["blue"]["url"], r.outs["green"]["url"], r.outs["shared"]["api_key"]
		if r.failLink {
			in["fail"] = true
		}
	}
	return in
}

func (r *runAll) writeVars(stack string) error {
	if err := os.MkdirAll(r.dir(stack), 0o700); err != nil {
		return err
	}
	v, err := json.Marshal(r.inputs(stack))
	if err != nil {
		return err
	}
	return os.WriteFile(r.vars(stack), v, 0o600)
}

func (r *runAll) readOutputs(ctx context.Context, stack string) error {
	out, err := r.tfStack(ctx, stack, "output", "-json")
	if err != nil {
		return err
	}
	var raw map[string]struct {
		Value any `json:"value"`
	}
	if err := json.Unmarshal(out, &raw); err != nil {
		return fmt.Errorf("outputs of %s: %w", stack, err)
	}
	res := map[string]any{}
	for k, o := range raw {
		res[k] = o.Value
	}
	r.outs[stack] = res
	return nil
}

// tfStack runs terraform in the stack's source with a data dir of the
// side's own.
func (r *runAll) tfStack(ctx context.Context, stack string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, r.tf, append([]string{"-chdir=" + r.src(stack)}, args...)...)
	// A new slice: stacks run at once, and appending to the shared
	// environ could hand one process another's TF_DATA_DIR.
	cmd.Env = append(slices.Clip(r.environ), "TF_DATA_DIR="+filepath.Join(r.dir(stack), "data"), "TF_IN_AUTOMATION=1",
		"TF_PLUGIN_CACHE_DIR="+filepath.Join(r.work, "plugin-cache"))
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		return nil, fmt.Errorf("run-all: terraform %s (%s): %v\n%s%s", args[0], stack, err, out, stderr)
	}
	return out, nil
}

// bucket creates and hardens the state bucket, as a bootstrap script does.
func (r *runAll) bucket(ctx context.Context) error {
	b := aws.String(r.project + "-tfstate")
	c := r.aws.s3
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b,
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(realRegion)}}); err != nil {
		return fmt.Errorf("run-all: create bucket: %w", err)
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b,
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
		return fmt.Errorf("run-all: bucket versioning: %w", err)
	}
	if _, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b, ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
		Rules: []s3types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAes256}}}}}); err != nil {
		return fmt.Errorf("run-all: bucket encryption: %w", err)
	}
	t := aws.Bool(true)
	if _, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
		BlockPublicAcls: t, BlockPublicPolicy: t, IgnorePublicAcls: t, RestrictPublicBuckets: t}}); err != nil {
		return fmt.Errorf("run-all: bucket public access block: %w", err)
	}
	return nil
}

// lockTable creates Terraform's lock table and waits until it is ACTIVE.
func (r *runAll) lockTable(ctx context.Context) error {
	name := r.project + "-lock"
	if _, err := r.aws.ddb.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(name), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("LockID"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("LockID"), KeyType: ddbtypes.KeyTypeHash}}}); err != nil {
		return fmt.Errorf("run-all: create lock table: %w", err)
	}
	return r.waitActive(ctx, name)
}

func (r *runAll) registry(ctx context.Context) error {
	c := ecr.NewFromConfig(r.aws.cfg)
	if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(r.project + "-api")}); err != nil {
		return fmt.Errorf("run-all: create registry: %w", err)
	}
	return nil
}

// restore restores the newest backup of the orders table and waits until
// the table is ACTIVE.
func (r *runAll) restore(ctx context.Context) error {
	table := r.project + "-orders"
	bs, err := r.aws.ddb.ListBackups(ctx, &dynamodb.ListBackupsInput{TableName: aws.String(table)})
	if err != nil || len(bs.BackupSummaries) == 0 {
		return fmt.Errorf("run-all: no backup of %s (%v)", table, err)
	}
	newest := bs.BackupSummaries[0]
	for _, b := range bs.BackupSummaries {
		if aws.ToTime(b.BackupCreationDateTime).After(aws.ToTime(newest.BackupCreationDateTime)) {
			newest = b
		}
	}
	if _, err := r.aws.ddb.RestoreTableFromBackup(ctx, &dynamodb.RestoreTableFromBackupInput{BackupArn: newest.BackupArn, TargetTableName: aws.String(table)}); err != nil {
		return fmt.Errorf("run-all: restore %s: %w", table, err)
	}
	return r.waitActive(ctx, table)
}

func (r *runAll) waitActive(ctx context.Context, table string) error {
	for {
		out, err := r.aws.ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
		if err != nil {
			return fmt.Errorf("run-all: wait for %s: %w", table, err)
		}
		if out.Table.TableStatus == ddbtypes.TableStatusActive {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(scriptPoll):
		}
	}
}

// copyUploads copies the replica's objects into the bucket shared made.
func (r *runAll) copyUploads(ctx context.Context) error {
	src := r.project + "-uploads-replica"
	p := s3.NewListObjectsV2Paginator(r.aws.s3, &s3.ListObjectsV2Input{Bucket: aws.String(src)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("run-all: list %s: %w", src, err)
		}
		for _, o := range page.Contents {
			if _, err := r.aws.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(uploadsBucket(r.project)), Key: o.Key,
				CopySource: aws.String(src + "/" + aws.ToString(o.Key))}); err != nil {
				return fmt.Errorf("run-all: copy %s: %w", aws.ToString(o.Key), err)
			}
		}
	}
	return nil
}
