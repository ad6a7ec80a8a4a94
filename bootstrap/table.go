package bootstrap

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tfrebuild/tfrebuild/internal/awserr"
	"github.com/tfrebuild/tfrebuild/internal/poll"
)

// LockKey is the hash key Terraform's S3 backend locks with.
const LockKey = "LockID"

// KeySchemaError is an existing lock table that Terraform cannot lock with.
type KeySchemaError struct {
	Table string
	Got   string
}

func (e *KeySchemaError) Error() string {
	return fmt.Sprintf("lock table %q has key schema %s; Terraform needs a single string hash key %q. "+
		"Point state.lock_table at another table, or use use_lockfile = true", e.Table, e.Got, LockKey)
}

// EnsureLockTable creates the DynamoDB lock table if it is missing (LockID
// hash key, on-demand, encrypted, point-in-time recovery, tagged) and waits
// until it is ACTIVE.
func (s *Session) EnsureLockTable(ctx context.Context, table string, opts Options) (*Report, error) {
	rep := &Report{}
	res := "dynamodb:" + table
	if opts.TableProved && opts.deferDrift() {
		rep.Later = func(ctx context.Context) (*Report, error) { return s.lockTableLater(ctx, table, opts) }
		return rep, nil
	}
	var ahead *tableAhead
	if !opts.deferDrift() {
		ahead = s.readTableAhead(ctx, table)
	}
	out, err := s.DDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	created := false
	switch {
	case awserr.Is(err, "ResourceNotFoundException"):
		if opts.DryRun {
			rep.add(Change{Resource: res, Action: Create, Detail: "lock table (LockID, on-demand, encrypted, point-in-time recovery)"})
			return rep, nil
		}
		if err := s.createTable(ctx, table, opts); err != nil {
			return rep, err
		}
		rep.add(Change{Resource: res, Action: Create, Detail: "lock table", Applied: true})
		created = true
		out, err = s.DDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
		if err != nil {
			return rep, fmt.Errorf("lock table %q: describe after create: %w", table, err)
		}
	case err != nil:
		return rep, fmt.Errorf("lock table %q: describe: %w", table, err)
	}
	desc := out.Table
	if err := checkKeySchema(table, desc); err != nil {
		return rep, err
	}
	if desc.TableStatus != ddbtypes.TableStatusActive && !opts.DryRun {
		if err := s.waitTable(ctx, table); err != nil {
			return rep, err
		}
	}
	if created {
		ahead = nil // read before the table was there
	}
	settings := s.tableSettings(table, desc, ahead)
	if !created && opts.deferDrift() {
		rep.Later = later(res, settings, opts.DryRun)
		return rep, nil
	}
	tags, checks, err := s.readTable(ctx, aws.ToString(desc.TableArn), settings, ahead)
	if err != nil {
		return rep, err
	}
	apply := created || opts.Repair || (opts.Converge && opts.ours(tags))
	wait := func(ctx context.Context) error { return s.waitTable(ctx, table) }
	err = fixAll(ctx, rep, res, settings, checks, apply, created, opts.DryRun, wait)
	return rep, err
}

// lockTableLater is the Later of a lock table proved by a write: its
// description, key and settings, checked off the critical path.
func (s *Session) lockTableLater(ctx context.Context, table string, opts Options) (*Report, error) {
	out, err := s.DDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		return &Report{}, fmt.Errorf("lock table %q: describe: %w", table, err)
	}
	if err := checkKeySchema(table, out.Table); err != nil {
		return &Report{}, err
	}
	return later("dynamodb:"+table, s.tableSettings(table, out.Table, nil), opts.DryRun)(ctx)
}

// readTable reads the table's tags and checks its settings at once: reads
// only. A tags error comes first, as when the tags were read before the
// checks; a setting's error is left to fixAll.
func (s *Session) readTable(ctx context.Context, arn string, settings []setting, ahead *tableAhead) (map[string]string, []checked, error) {
	var (
		wg      sync.WaitGroup
		tags    map[string]string
		tagsErr error
	)
	wg.Go(func() {
		var ok bool
		if tags, ok = ahead.tagsOf(ctx, arn); !ok {
			tags, tagsErr = s.tableTags(ctx, arn)
		}
	})
	checks := checkAll(ctx, settings)
	wg.Wait()
	if tagsErr != nil {
		return nil, nil, tagsErr
	}
	return tags, checks, nil
}

func (s *Session) createTable(ctx context.Context, table string, opts Options) error {
	var tags []ddbtypes.Tag
	all := opts.tags()
	for _, k := range slices.Sorted(maps.Keys(all)) {
		tags = append(tags, ddbtypes.Tag{Key: aws.String(k), Value: aws.String(all[k])})
	}
	_, err := s.DDB.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String(LockKey), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String(LockKey), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest,
		SSESpecification:     &ddbtypes.SSESpecification{Enabled: aws.Bool(true)},
		Tags:                 tags,
	})
	if err != nil && !awserr.Is(err, "ResourceInUseException") {
		return fmt.Errorf("create lock table %q in %s: %w", table, s.Config.Region, err)
	}
	return s.waitTable(ctx, table)
}

// waitTable asks at once, then on poll.NewTable's schedule (every 250 ms
// to 1 s), until the table is ACTIVE: the lock table is on the critical
// path of every fresh rebuild, and the SDK's waiter would first ask again
// after 20 s. A table not yet visible after its create is waited for.
func (s *Session) waitTable(ctx context.Context, table string) error {
	wctx, cancel := context.WithTimeout(ctx, waitLimit)
	defer cancel()
	err := poll.Until(wctx, poll.NewTable, func(ctx context.Context) (bool, error) {
		out, err := s.DDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
		switch {
		case awserr.Is(err, "ResourceNotFoundException"):
			return false, nil
		case err != nil:
			return false, err
		}
		return out.Table.TableStatus == ddbtypes.TableStatusActive, nil
	})
	if err != nil {
		return fmt.Errorf("lock table %q did not become ACTIVE within %s: %w", table, waitLimit, err)
	}
	return nil
}

func checkKeySchema(table string, d *ddbtypes.TableDescription) error {
	types := map[string]ddbtypes.ScalarAttributeType{}
	for _, a := range d.AttributeDefinitions {
		types[aws.ToString(a.AttributeName)] = a.AttributeType
	}
	var got string
	for i, k := range d.KeySchema {
		if i > 0 {
			got += ", "
		}
		name := aws.ToString(k.AttributeName)
		got += fmt.Sprintf("%s %s (%s)", name, k.KeyType, types[name])
	}
	if len(d.KeySchema) == 1 && aws.ToString(d.KeySchema[0].AttributeName) == LockKey &&
		d.KeySchema[0].KeyType == ddbtypes.KeyTypeHash && types[LockKey] == ddbtypes.ScalarAttributeTypeS {
		return nil
	}
	return &KeySchemaError{Table: table, Got: "[" + got + "]"}
}

func (s *Session) tableTags(ctx context.Context, arn string) (map[string]string, error) {
	tags := map[string]string{}
	p := dynamodb.ListTagsOfResourceInput{ResourceArn: aws.String(arn)}
	for {
		out, err := s.DDB.ListTagsOfResource(ctx, &p)
		if err != nil {
			return nil, fmt.Errorf("read tags of %s: %w", arn, err)
		}
		for _, t := range out.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		if out.NextToken == nil {
			return tags, nil
		}
		p.NextToken = out.NextToken
	}
}

func (s *Session) tableSettings(table string, d *ddbtypes.TableDescription, ahead *tableAhead) []setting {
	name := aws.String(table)
	return []setting{
		{
			name: "billing mode",
			check: func(ctx context.Context) (bool, string, error) {
				if d.BillingModeSummary != nil && d.BillingModeSummary.BillingMode == ddbtypes.BillingModePayPerRequest {
					return true, "", nil
				}
				return false, "provisioned capacity, want on-demand (PAY_PER_REQUEST)", nil
			},
			fix: func(ctx context.Context) error {
				_, err := s.DDB.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: name, BillingMode: ddbtypes.BillingModePayPerRequest})
				return err
			},
		},
		{
			name: "encryption",
			check: func(ctx context.Context) (bool, string, error) {
				if d.SSEDescription != nil && (d.SSEDescription.Status == ddbtypes.SSEStatusEnabled || d.SSEDescription.Status == ddbtypes.SSEStatusEnabling) {
					return true, "", nil
				}
				return false, "encrypted with an AWS owned key, want a KMS key (SSE enabled)", nil
			},
			fix: func(ctx context.Context) error {
				_, err := s.DDB.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: name, SSESpecification: &ddbtypes.SSESpecification{Enabled: aws.Bool(true)}})
				return err
			},
		},
		{
			name: "point-in-time recovery",
			check: func(ctx context.Context) (bool, string, error) {
				out, ok := ahead.takePITR(ctx)
				if !ok {
					var err error
					if out, err = s.DDB.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: name}); err != nil {
						return false, "", err
					}
				}
				if c := out.ContinuousBackupsDescription; c != nil && c.PointInTimeRecoveryDescription != nil &&
					c.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus == ddbtypes.PointInTimeRecoveryStatusEnabled {
					return true, "", nil
				}
				return false, "point-in-time recovery is off", nil
			},
			fix: func(ctx context.Context) error {
				_, err := s.DDB.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: name,
					PointInTimeRecoverySpecification: &ddbtypes.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)}})
				return err
			},
		},
	}
}

// TableExists reports whether a DynamoDB table exists, without creating it.
func (s *Session) TableExists(ctx context.Context, table string) (bool, error) {
	_, err := s.DDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if awserr.Is(err, "ResourceNotFoundException") {
		return false, nil
	}
	return err == nil, err
}
