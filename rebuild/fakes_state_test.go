package rebuild

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/tfrebuild/tfrebuild/bootstrap"
	"github.com/tfrebuild/tfrebuild/tfstate"
)

// fakeCloud is also the state bucket's States.

func (f *fakeCloud) Lock(_ context.Context, l tfstate.Location) (*tfstate.LockInfo, error) {
	f.call("StateLock", bootstrap.Options{})
	f.mu.Lock()
	defer f.mu.Unlock()
	if id := f.withLease[l.Bucket+"/"+l.Key]; f.held[id] {
		return &tfstate.LockInfo{ID: id}, nil
	}
	return f.lock, nil
}

func (f *fakeCloud) Exists(_ context.Context, l tfstate.Location) (bool, error) {
	f.call("StateExists", bootstrap.Options{})
	return !f.noState[l.Key], nil
}

func (f *fakeCloud) ForceUnlock(_ context.Context, _ tfstate.Location, id string) error {
	f.mu.Lock()
	if f.held[id] {
		delete(f.held, id) // this run's own, released after its command
		f.mu.Unlock()
		return nil
	}
	f.mu.Unlock()
	f.call("ForceUnlock", bootstrap.Options{})
	f.mu.Lock()
	defer f.mu.Unlock()
	f.unlocked = append(f.unlocked, id)
	return nil
}

// Read renders the fake Terraform's state of the key's stack as a state
// object; its version is its content's hash, like an ETag.
func (f *fakeCloud) Read(_ context.Context, l tfstate.Location) (tfstate.Object, error) {
	f.call("StateRead", bootstrap.Options{})
	if f.tf == nil {
		return tfstate.Object{}, nil
	}
	stack := strings.Split(l.Key, "/")[1]
	f.tf.mu.Lock()
	outs, ok := f.tf.state[stack]
	addrs := f.tf.addrs[stack]
	f.tf.mu.Unlock()
	if !ok && len(addrs) == 0 {
		return tfstate.Object{}, nil
	}
	body, err := stateBody(outs, addrs)
	if err != nil {
		return tfstate.Object{}, err
	}
	return tfstate.Object{Body: body, Version: fmt.Sprintf("etag:%x", sha256.Sum256(body))}, nil
}

// stateBody is a version 4 state holding outs and a resource instance at
// each address ("type.name" or "type.name[N]").
func stateBody(outs map[string]cty.Value, addrs []string) ([]byte, error) {
	var resources []any
	for _, a := range addrs {
		base, index, indexed := strings.Cut(strings.TrimSuffix(a, "]"), "[")
		typ, name, _ := strings.Cut(base, ".")
		inst := map[string]any{}
		if indexed {
			inst["index_key"] = json.RawMessage(index)
		}
		resources = append(resources, map[string]any{"mode": "managed", "type": typ, "name": name, "instances": []any{inst}})
	}
	state := map[string]any{"version": 4, "outputs": map[string]any{}, "resources": resources}
	for name, v := range outs {
		val, err := ctyjson.Marshal(v, v.Type())
		if err != nil {
			return nil, err
		}
		ty, err := ctyjson.MarshalType(v.Type())
		if err != nil {
			return nil, err
		}
		state["outputs"].(map[string]any)[name] = map[string]any{"value": json.RawMessage(val), "type": json.RawMessage(ty)}
	}
	return json.Marshal(state)
}

// Acquire: the fake's state locks are always free for this run's own;
// releasing one of those is not an unlock of someone else's (unlocked).
func (f *fakeCloud) Acquire(_ context.Context, _ tfstate.Location, info tfstate.LockInfo, _ string, _ time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.lock != nil && f.lock.ID != info.ID && !slices.Contains(f.unlocked, f.lock.ID) {
		return &tfstate.HeldError{Info: *f.lock}
	}
	if f.held == nil {
		f.held = map[string]bool{}
	}
	f.held[info.ID] = true
	f.acquired = append(f.acquired, info.ID)
	return nil
}

func (f *fakeCloud) Release(ctx context.Context, l tfstate.Location, info tfstate.LockInfo, _ string) error {
	return f.ForceUnlock(ctx, l, info.ID)
}

// Versions lists the versions the test set, for any object.
func (f *fakeCloud) Versions(context.Context, tfstate.Location) ([]tfstate.Version, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.versions, nil
}
