package terraform

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// env merges the base environment with the stack's TF_DATA_DIR and the
// shared plugin cache. terraform-exec's SetEnv replaces the whole
// environment and refuses the variables it manages, so those are dropped.
func (r *Runner) env(wd Workdir) map[string]string {
	base := r.Env
	if base == nil {
		base = os.Environ()
	}
	env := map[string]string{}
	for _, kv := range base {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	env = tfexec.CleanEnv(env)
	env["TF_DATA_DIR"] = wd.DataDir()
	if r.PluginCache != "" {
		env["TF_PLUGIN_CACHE_DIR"] = r.PluginCache
	}
	return env
}

// prepare sets the environment of the stack's next command: the base,
// the stack's own variables, fresh credentials. Called before each command.
func (r *Runner) prepare(ctx context.Context, h *handle) error {
	s := h.stack
	env := r.env(h.wd)
	if bad := tfexec.ProhibitedEnv(maps.Clone(s.Env)); len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("stack %s: env sets %s, which terraform-exec manages itself and refuses; pass inputs instead of TF_VAR_*", s.Name, strings.Join(bad, ", "))
	}
	maps.Copy(env, s.Env)
	if err := checkCLIConfig(r.Binary, env); err != nil {
		return fmt.Errorf("stack %s: %w", s.Name, err)
	}
	if s.Credentials != nil {
		creds, err := s.Credentials(ctx)
		if err != nil {
			return fmt.Errorf("stack %s: get its credentials: %w", s.Name, err)
		}
		maps.Copy(env, creds)
	}
	return h.tf.SetEnv(env)
}

// varFiles are the user's var files, then tfrebuild's generated one.
func varFiles(h *handle) []*tfexec.VarFileOption {
	var opts []*tfexec.VarFileOption
	for _, f := range h.stack.VarFiles {
		opts = append(opts, tfexec.VarFile(f))
	}
	return append(opts, tfexec.VarFile(h.wd.VarFile()))
}

func (r *Runner) lockTimeout() string {
	if r.LockTimeout <= 0 {
		return "60s"
	}
	return fmt.Sprintf("%ds", int(r.LockTimeout.Round(time.Second).Seconds()))
}

func varFile(vars map[string]cty.Value) ([]byte, error) {
	obj := map[string]json.RawMessage{}
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := vars[k]
		if !v.IsWhollyKnown() {
			return nil, fmt.Errorf("input %q is not known yet", k)
		}
		b, err := ctyjson.SimpleJSONValue{Value: v}.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("input %q: %w", k, err)
		}
		obj[k] = b
	}
	return json.MarshalIndent(obj, "", "  ")
}

// writeFile writes a file only its owner can read: var files may hold
// secrets that upstream stacks produced.
func writeFile(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// checkCLIConfig refuses a TF_CLI_CONFIG_FILE that does not exist under
// OpenTofu: OpenTofu warns about it on stdout, ahead of the JSON of
// `version -json`, and terraform-exec's version probe then fails on every
// command with a message that says nothing about the cause.
func checkCLIConfig(b *Binary, env map[string]string) error {
	path := env["TF_CLI_CONFIG_FILE"]
	if b == nil || b.Engine != EngineOpenTofu || path == "" {
		return nil
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("TF_CLI_CONFIG_FILE=%s: %w; OpenTofu would warn about it on stdout, which terraform-exec cannot read. Point it at an existing file or unset it", path, err)
	}
	return nil
}
