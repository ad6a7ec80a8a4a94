package terraform

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/tfrebuild/tfrebuild/internal/testenv"
)

// The test binary serves as the supervisor of the Terraform processes its
// runners start, as tfrebuild does.
func TestMain(m *testing.M) {
	if code, ok := ServeSupervisor(os.Args[1:]); ok {
		os.Exit(code)
	}
	os.Exit(testenv.Main(m))
}

// bed is one test's Terraform set-up against moto: a bucket of its own, a
// copy of testdata/tree as the source, a runner.
type bed struct {
	env    *testenv.Env
	moto   *testenv.Moto
	bucket string
	src    string // the copied tree
	runner *Runner
}

func newBed(t *testing.T, moto *testenv.Moto) *bed {
	t.Helper()
	testenv.Require(t, "terraform")
	if moto == nil {
		moto = testenv.SharedMoto(t)
	}
	env, err := testenv.NewEnv(moto, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	b := &bed{env: env, moto: moto, bucket: bucketName(t), src: filepath.Join(t.TempDir(), "tree")}
	if err := os.CopyFS(b.src, os.DirFS("testdata/tree")); err != nil {
		t.Fatal(err)
	}
	b.createBucket(t)
	bin, err := Find(context.Background(), "", InstalledOnly)
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	b.runner = &Runner{Binary: bin, WorkRoot: filepath.Join(work, "work"), PluginCache: filepath.Join(work, "plugins"), Env: env.Environ(), Spares: true}
	t.Cleanup(func() { b.runner.Close() })
	return b
}

// bucketName is unique in the shared moto, also under -count=N.
func bucketName(t *testing.T) string {
	n := strings.Trim(strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "-")), "-")
	if len(n) > 40 {
		n = strings.Trim(n[len(n)-40:], "-")
	}
	return fmt.Sprintf("tft-%s-%08x", n, rand.Uint32())
}

func (b *bed) s3() *s3.Client {
	return s3.NewFromConfig(aws.Config{Region: "eu-west-2", BaseEndpoint: aws.String(b.moto.URL),
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")}, func(o *s3.Options) { o.UsePathStyle = true })
}

func (b *bed) createBucket(t *testing.T) {
	t.Helper()
	_, err := b.s3().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(b.bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest2}})
	if err != nil {
		t.Fatalf("create bucket %s: %v", b.bucket, err)
	}
}

// stack is the app stack of the tree under a name of its own.
func (b *bed) stack(name string, vars map[string]cty.Value) Stack {
	all := map[string]cty.Value{"name": cty.StringVal(name), "secret": cty.StringVal("s3cr3t-" + name)}
	for k, v := range vars {
		all[k] = v
	}
	return at(Stack{Name: name, Vars: all, Backend: Backend{
		Bucket: b.bucket, Key: StateKey("p", name), Region: "eu-west-2", Endpoints: map[string]string{"s3": b.moto.URL},
	}}, b.src, filepath.Join(b.src, "stacks", "app"))
}

// snapshot records every entry of a tree: its mode and its content or
// link target, to compare a tree byte for byte.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := os.Lstat(path)
		if err != nil {
			return err
		}
		v := info.Mode().String()
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(path)
			v += " -> " + target
		case info.Mode().IsRegular():
			data, _ := os.ReadFile(path)
			v += " " + string(data)
		}
		out[path] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameTree(t *testing.T, before, after map[string]string) {
	t.Helper()
	for p, v := range after {
		if w, ok := before[p]; !ok {
			t.Errorf("the source tree gained %s", p)
		} else if w != v {
			t.Errorf("the source tree changed %s", p)
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			t.Errorf("the source tree lost %s", p)
		}
	}
}

// filesContaining lists the files under root that contain needle.
func filesContaining(t *testing.T, root, needle string) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		if data, err := os.ReadFile(path); err == nil && bytes.Contains(data, []byte(needle)) {
			out = append(out, path)
		}
		return nil
	})
	return out
}

// recorder is a real terraform behind a script that appends each
// invocation's arguments to a file, one line per process.
func recorder(t *testing.T, real string) (bin, record string) {
	t.Helper()
	dir := t.TempDir()
	bin, record = filepath.Join(dir, "terraform"), filepath.Join(dir, "calls")
	script := "#!/bin/sh\necho \"$*\" >> '" + record + "'\nexec '" + real + "' \"$@\"\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin, record
}

func calls(t *testing.T, record string) []string {
	t.Helper()
	data, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}

// at points s at the stack in dir, inside the tree root, listing its file
// set as the runner's caller does (config.StackFiles): every regular file
// under root relative to dir, and the other directories holding .tf files
// as its modules. The lock file counts at the stack's top only.
func at(s Stack, root, dir string) Stack {
	s.SourceDir, s.Files, s.Modules = dir, nil, nil
	mods := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if strings.HasPrefix(d.Name(), ".") && rel != LockFileName {
			return nil
		}
		s.Files = append(s.Files, rel)
		if m := filepath.ToSlash(filepath.Dir(rel)); strings.HasSuffix(rel, ".tf") && m != "." && !mods[m] {
			mods[m] = true
			s.Modules = append(s.Modules, m)
		}
		return nil
	})
	if err != nil {
		panic(err)
	}
	return s
}
