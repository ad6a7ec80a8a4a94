package rebuild

import (
	"context"
	"fmt"
	"io"
	"maps"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/internal/awserr"
	"github.com/tfrebuild/tfrebuild/terraform"
)

// A stack that is done, with an unchanged fingerprint, is skipped without
// starting any Terraform process when its state object is provably the one
// its last apply left: the checkpoint records the object's version (S3
// VersionId; the ETag where the bucket keeps no versions) when the stage
// finishes, and a resume compares it with the object's version now, read
// together with the outputs in one GetObject. A different version means
// someone wrote the state since: the stack is planned again.

// stateObjects reads stack state objects straight from the state bucket.
// The real one wraps the session's S3 client; tests give a fake.
type stateObjects interface {
	// StateObject returns the object's content and version; a missing
	// object is (nil, "", nil).
	StateObject(ctx context.Context, account, bucket, key string) ([]byte, string, error)
}

// s3States reads state objects with the session's S3 client, checking
// that the bucket belongs to the state's account.
type s3States struct{ s3 *s3.Client }

// maxState bounds what a state read holds in memory: a state this large
// is read by Terraform itself instead.
const maxState = 64 << 20

func (r s3States) StateObject(ctx context.Context, account, bucket, key string) ([]byte, string, error) {
	out, err := r.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ExpectedBucketOwner: aws.String(account)})
	if awserr.Is(err, "NoSuchKey", "NotFound") {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("read the state s3://%s/%s: %w", bucket, key, err)
	}
	defer out.Body.Close()
	body, err := io.ReadAll(io.LimitReader(out.Body, maxState+1))
	if err != nil {
		return nil, "", fmt.Errorf("read the state s3://%s/%s: %w", bucket, key, err)
	}
	if len(body) > maxState {
		return nil, "", fmt.Errorf("the state s3://%s/%s is over %d MiB", bucket, key, maxState>>20)
	}
	return body, objectVersion(aws.ToString(out.VersionId), aws.ToString(out.ETag)), nil
}

// objectVersion names a version of an object: its VersionId in a
// versioned bucket, else its ETag.
func objectVersion(versionID, etag string) string {
	if versionID != "" && versionID != "null" {
		return "version:" + versionID
	}
	if etag != "" {
		return "etag:" + strings.Trim(etag, `"`)
	}
	return ""
}

// stateReader reads the stacks' state objects for this run and remembers
// the version of each it read, so that the version recorded for a stack is
// the one its outputs came from.
type stateReader struct {
	objects stateObjects
	account string // the state bucket's expected owner

	mu   sync.Mutex
	seen map[string]string // state key → version last read
}

// stateObject is a state object's content and version.
type stateObject struct {
	body    []byte
	version string
}

// readForSkip is read for a skip decision: it takes the read made ahead,
// if any (ahead may be nil). Nothing else does: a stack that is applied
// reads its outputs after its apply.
func (r *stateReader) readForSkip(ctx context.Context, b terraform.Backend, ahead *future[stateObject]) ([]byte, string, error) {
	if obj, ok := ahead.get(ctx); ok {
		r.saw(b.Key, obj.version)
		return obj.body, obj.version, nil
	}
	return r.read(ctx, b)
}

func (r *stateReader) read(ctx context.Context, b terraform.Backend) ([]byte, string, error) {
	body, version, err := r.objects.StateObject(ctx, r.account, b.Bucket, b.Key)
	if err != nil {
		return nil, "", err
	}
	r.saw(b.Key, version)
	return body, version, nil
}

// saw remembers the version of a key last read.
func (r *stateReader) saw(key, version string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil {
		r.seen = map[string]string{}
	}
	r.seen[key] = version
}

// ReadState is terraform.Runner's ReadState: outputs come from the object,
// not from a Terraform process.
func (r *stateReader) ReadState(ctx context.Context, b terraform.Backend) ([]byte, error) {
	body, _, err := r.read(ctx, b)
	return body, err
}

// forget drops the version read of a key: the stack is applied next, and
// what it recorded must be read after that.
func (r *stateReader) forget(key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.seen, key)
}

func (r *stateReader) lastSeen(key string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen[key]
}

// newStateReader returns the reader of the state bucket through the
// session of the state's account, or nil when that session cannot read
// objects (Terraform reads the state then).
func newStateReader(state *AccountSession) *stateReader {
	if state == nil {
		return nil
	}
	var objs stateObjects
	switch c := state.Cloud.(type) {
	case stateObjects:
		objs = c
	case *bootstrap.Session:
		objs = s3States{s3: c.S3}
	default:
		return nil
	}
	return &stateReader{objects: objs, account: state.Account.ID}
}

// useStateReader sets up reading state objects without Terraform for this
// run, once preflight has connected: the runner (tf, as Deps.Terraform
// returned it) then takes a stack's outputs from its state object instead
// of a `state pull` process.
func (c *core) useStateReader(tf Terraform) {
	state, err := c.stateAccount()
	if err != nil {
		return
	}
	c.states = newStateReader(state)
	if r, ok := tf.(*terraform.Runner); ok && c.states != nil {
		r.ReadState = c.states.ReadState
	}
}

// skipUnchanged returns the outputs of a done stack whose fingerprint is
// unchanged when its state object is still the version recorded when it
// finished, without any Terraform process; ok is false when the stack
// must go through Terraform: no version recorded, no direct read, the
// object changed or its outputs differ from the recorded hashes. why
// tells the user which.
func (a *applier) skipUnchanged(ctx context.Context, ts terraform.Stack, prev stackState) (outs terraform.Outputs, ok bool, why string) {
	recorded, prevOut := prev.stateVersion, prev.prevOut
	if a.states == nil || recorded == "" {
		return outs, false, ""
	}
	body, now, err := a.states.readForSkip(ctx, ts.Backend, prev.reads.state)
	switch {
	case err != nil:
		return outs, false, fmt.Sprintf("could not read its state object (%v); planning again", err)
	case now != recorded:
		a.states.forget(ts.Backend.Key)
		return outs, false, fmt.Sprintf("its state %s changed since it was applied (%s, was %s); planning again", ts.Backend.Key, orNone(now), recorded)
	}
	outs, err = terraform.OutputsFromState(body)
	if err != nil || !maps.Equal(hashOutputs(a.key, outs.Values), prevOut) {
		a.states.forget(ts.Backend.Key)
		return outs, false, "its outputs in the state differ from the checkpoint; planning again"
	}
	return outs, true, ""
}

// recordStateVersion keeps, in the stack's checkpoint record, the version
// of the state object its outputs were read from (fetched now when the
// runner did not read it itself).
func (a *applier) recordStateVersion(ctx context.Context, ts terraform.Stack) {
	if a.states == nil {
		return
	}
	v := a.states.lastSeen(ts.Backend.Key)
	if v == "" {
		if _, got, err := a.states.read(ctx, ts.Backend); err == nil {
			v = got
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ckpt.Stage("stack." + ts.Name).StateVersion = v
}

func orNone(v string) string {
	if v == "" {
		return "no object"
	}
	return v
}
