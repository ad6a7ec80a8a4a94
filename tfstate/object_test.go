package tfstate

import (
	"context"
	"fmt"
	"testing"
)

// A state object is read with its version; a second write is a new
// version; the previous ones are listed newest first and can be read.
func TestReadVersionsAndPreviousVersions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newBed(t, "", "", true)
	if obj, err := b.client.Read(ctx, b.loc); err != nil || obj.Version != "" || obj.Body != nil {
		t.Fatalf("a missing state: %+v %v", obj, err)
	}
	if ok, err := b.client.Exists(ctx, b.loc); err != nil || ok {
		t.Fatalf("a missing state exists: %v %v", ok, err)
	}
	v1 := b.put(b.loc.Key, fmt.Sprintf(stateJSON, 1))
	v2 := b.put(b.loc.Key, fmt.Sprintf(stateJSON, 2))
	b.put(b.loc.Key+".backup", "not the state")
	obj, err := b.client.Read(ctx, b.loc)
	if err != nil || obj.Version != "version:"+v2 || string(obj.Body) != fmt.Sprintf(stateJSON, 2) {
		t.Fatalf("read: %q %q %v, want version %s", obj.Version, obj.Body, err, v2)
	}
	if ok, err := b.client.Exists(ctx, b.loc); err != nil || !ok {
		t.Errorf("exists: %v %v", ok, err)
	}
	vs, err := b.client.Versions(ctx, b.loc)
	if err != nil || len(vs) != 2 || vs[0].ID != v2 || !vs[0].Latest || vs[1].ID != v1 || vs[1].Latest || vs[1].Size == 0 {
		t.Fatalf("versions: %+v %v, want %s then %s", vs, err, v2, v1)
	}
	old, err := b.client.ReadVersion(ctx, b.loc, v1)
	if err != nil || old.Version != "version:"+v1 || string(old.Body) != fmt.Sprintf(stateJSON, 1) {
		t.Errorf("read version %s: %+v %v", v1, old, err)
	}
	if _, err := b.client.ReadVersion(ctx, b.loc, "no-such-version"); err == nil {
		t.Error("reading a version that does not exist succeeded")
	}
}

// In a bucket that keeps no versions, the ETag names what was read.
func TestReadUnversionedNamesTheETag(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newBed(t, "", "", false)
	b.put(b.loc.Key, fmt.Sprintf(stateJSON, 1))
	obj, err := b.client.Read(ctx, b.loc)
	if err != nil || len(obj.Version) < len("etag:")+8 || obj.Version[:5] != "etag:" {
		t.Fatalf("read: %q %v", obj.Version, err)
	}
	b.put(b.loc.Key, fmt.Sprintf(stateJSON, 2))
	if again, err := b.client.Read(ctx, b.loc); err != nil || again.Version == obj.Version {
		t.Errorf("a new write keeps the version %q: %v", again.Version, err)
	}
	if vs, err := b.client.Versions(ctx, b.loc); err != nil || len(vs) != 1 || !vs[0].Latest {
		t.Errorf("versions of an unversioned object: %+v %v", vs, err)
	}
}

// Outputs come out of the state object, sensitive ones marked.
func TestOutputsSensitiveMarked(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newBed(t, "", "", true)
	if outs, exists, err := b.client.Outputs(ctx, b.loc); err != nil || exists || len(outs.Values) != 0 {
		t.Fatalf("no state: %+v %v %v", outs, exists, err)
	}
	b.put(b.loc.Key, fmt.Sprintf(stateJSON, 1))
	outs, exists, err := b.client.Outputs(ctx, b.loc)
	if err != nil || !exists {
		t.Fatal(exists, err)
	}
	if outs.Values["url"].AsString() != "https://app" || outs.Sensitive["url"] || !outs.Sensitive["token"] || outs.Values["token"].AsString() != "s3cr3t" {
		t.Errorf("outputs: %#v", outs)
	}
	b.put(b.loc.Key, `{"version":3}`)
	if _, exists, err := b.client.Outputs(ctx, b.loc); err == nil || !exists {
		t.Errorf("a state of another format: %v %v", exists, err)
	}
}

// A missing bucket is no state; another error says what was being read.
func TestMissingBucketAndErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newBed(t, "", "", false)
	gone := b.loc
	gone.Bucket = b.loc.Bucket + "-gone"
	if ok, err := b.client.Exists(ctx, gone); err != nil || ok {
		t.Errorf("a missing bucket: %v %v", ok, err)
	}
	if _, err := b.client.Read(ctx, gone); err == nil || !contains(err.Error(), "read the state s3://"+gone.Bucket+"/p/app/terraform.tfstate") {
		t.Errorf("reading from a missing bucket: %v", err)
	}
	if _, err := b.client.Versions(ctx, gone); err == nil {
		t.Error("listing versions in a missing bucket succeeded")
	}
}

func TestVersionOf(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ id, etag, want string }{
		{"3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY", `"abc"`, "version:3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY"},
		{"null", `"abc"`, "etag:abc"},
		{"", `"abc"`, "etag:abc"},
		{"", "", ""},
	} {
		if got := VersionOf(c.id, c.etag); got != c.want {
			t.Errorf("VersionOf(%q, %q) = %q, want %q", c.id, c.etag, got, c.want)
		}
	}
}

// The resources of a state object are looked up without Terraform.
func TestHolds(t *testing.T) {
	t.Parallel()
	body := []byte(`{"version":4,"resources":[{"mode":"managed","type":"aws_dynamodb_table","name":"t","instances":[{"index_key":1}]}]}`)
	for addr, want := range map[string]bool{"aws_dynamodb_table.t": true, "aws_dynamodb_table.t[1]": true, "aws_dynamodb_table.t[0]": false, "aws_s3_bucket.b": false} {
		if got, err := Holds(body, addr); err != nil || got != want {
			t.Errorf("Holds(%s) = %v, %v; want %v", addr, got, err, want)
		}
	}
	if got, err := Holds(nil, "aws_dynamodb_table.t"); err != nil || got {
		t.Errorf("an empty state: %v %v", got, err)
	}
	if _, err := Holds([]byte("{"), "x.y"); err == nil {
		t.Error("a broken state holds something")
	}
}
