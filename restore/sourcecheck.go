package restore

import (
	"context"
	"fmt"
	"time"
)

// SourceState is what a restore's source holds now, read without writing
// anything and without looking at the target: what `tfrebuild readiness`
// judges against the RPO, for a target that may not exist yet.
type SourceState struct {
	// Source describes the backup, table or bucket the restore would read.
	Source string
	// RecoveryPoint is the newest data the restore would bring back: the
	// backup's creation time, the latest restorable time, the given
	// point_in_time, or the newest object of a replica. Nil when unknown.
	RecoveryPoint *time.Time
	// Pinned: the recovery point is the configured point_in_time or
	// backup_arn, not the newest the source offers.
	Pinned    bool
	BackupARN string
	// EarliestRestorable is the start of the point-in-time window (PITR).
	EarliestRestorable *time.Time
	// Versioned is whether the bucket read is versioned (S3).
	Versioned bool
	// Objects counts the current objects of a replica (S3 from = "bucket").
	Objects int
}

// CheckSource resolves the source a table restore would read, as Plan
// and Restore do (the newest usable backup, the given backup, or the
// point-in-time window), without reading the target table. An error says
// why the restore could not run from it now.
func (t *Tables) CheckSource(ctx context.Context, opts TableOptions) (*SourceState, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	src, err := t.resolve(ctx, opts)
	if err != nil {
		return nil, err
	}
	at := src.at
	st := &SourceState{Source: src.describe(opts, t.SourceRegion), RecoveryPoint: &at, BackupARN: src.backupARN,
		Pinned: opts.BackupARN != "" || !opts.PointInTime.IsZero()}
	if !src.earliestRestorable.IsZero() {
		e := src.earliestRestorable
		st.EarliestRestorable = &e
	}
	return st, nil
}

// CheckSource reads the source a bucket restore would read, without
// reading the target bucket: for from = "versions", the bucket itself
// must exist and be versioned; for from = "bucket", the replica must
// exist and be readable (and versioned when point_in_time is set), and
// its newest object is the recovery point.
func (b *Buckets) CheckSource(ctx context.Context, opts BucketOptions) (*SourceState, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	st := &SourceState{Source: b.describe(opts), Pinned: !opts.PointInTime.IsZero()}
	if st.Pinned {
		at := opts.PointInTime
		st.RecoveryPoint = &at
	}
	if opts.From == FromVersions {
		ok, err := versioned(ctx, b.Target, opts.Bucket, opts.AccountID)
		if err != nil {
			return nil, fmt.Errorf("%w in %s; the restore reads the bucket's own versions, so it must exist and be readable", err, b.Region)
		}
		if !ok {
			return nil, fmt.Errorf("S3 bucket %q in %s is not versioned: it keeps no older versions to restore; "+
				"turn versioning on (aws s3api put-bucket-versioning --bucket %s --versioning-configuration Status=Enabled)", opts.Bucket, b.Region, opts.Bucket)
		}
		st.Versioned = true
		return st, nil
	}
	ok, err := versioned(ctx, b.Source, opts.SourceBucket, opts.SourceAccountID)
	if err != nil {
		return nil, fmt.Errorf("%w in %s; the restore copies from it, so it must exist and be readable", err, b.SourceRegion)
	}
	st.Versioned = ok
	if st.Pinned && !ok {
		return nil, fmt.Errorf("source bucket %q in %s has no versioning, so it cannot be copied as of point_in_time", opts.SourceBucket, b.SourceRegion)
	}
	if st.Pinned {
		return st, nil
	}
	var newest time.Time
	_, err = listCurrent(ctx, b.Source, opts.SourceBucket, opts.SourceAccountID, b.pageSize, func(_ string, _ object, at time.Time) {
		st.Objects++
		if at.After(newest) {
			newest = at
		}
	})
	if err != nil {
		return nil, fmt.Errorf("%w in %s", err, b.SourceRegion)
	}
	if !newest.IsZero() {
		st.RecoveryPoint = &newest
	}
	return st, nil
}
