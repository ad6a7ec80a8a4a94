package terraform

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// managedEnv are variables tfrebuild sets itself or must not inherit:
// inputs go through the var file, TF_LOG* would write Terraform's debug log
// (which holds secrets) where tfrebuild does not look, TF_CLI_ARGS* would
// change the commands tfrebuild builds, TF_WORKSPACE would pick a state
// other than the backend config's, and the plugin settings are for
// provider development only. The same list terraform-exec keeps.
var managedEnv = []string{
	"TF_CLI_ARGS", "TF_INPUT", "TF_IN_AUTOMATION", "TF_LOG", "TF_LOG_CORE", "TF_LOG_PATH", "TF_LOG_PROVIDER",
	"TF_REATTACH_PROVIDERS", "TF_APPEND_USER_AGENT", "TF_WORKSPACE", "TF_DISABLE_PLUGIN_TLS", "TF_SKIP_PROVIDER_VERIFY",
}

// managed reports whether tfrebuild manages an environment variable.
func managed(k string) bool {
	return slices.Contains(managedEnv, k) || strings.HasPrefix(k, "TF_VAR_") || strings.HasPrefix(k, "TF_CLI_ARGS_")
}

// env merges the base environment, less the variables tfrebuild manages,
// with the stack's TF_DATA_DIR and the shared plugin cache.
func (r *Runner) env(wd Workdir) map[string]string {
	base := r.Env
	if base == nil {
		base = os.Environ()
	}
	env := map[string]string{}
	for _, kv := range base {
		if k, v, _ := strings.Cut(kv, "="); !managed(k) {
			env[k] = v
		}
	}
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
	var bad []string
	for k := range s.Env {
		if managed(k) {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("stack %s: env sets %s, which tfrebuild manages itself and refuses; pass inputs instead of TF_VAR_*", s.Name, strings.Join(bad, ", "))
	}
	maps.Copy(env, s.Env)
	if (h.noLock || h.rehosted) && r.PluginCache != "" && env["TF_PLUGIN_CACHE_DIR"] == r.PluginCache {
		// Without a lock file to check a cached provider against, init
		// installs it into the plugin cache again, replacing the files that
		// stacks applying at the same time run: such a stack gets a cache
		// of its own instead (not none: Terraform would fall back to the
		// user's plugin_cache_dir). So does a lock file without checksums
		// (lockhost.go). The lock file it generates is kept, so
		// later runs use the shared cache, but its data dir keeps linking
		// to the providers in its own, which stays.
		env["TF_PLUGIN_CACHE_DIR"] = h.wd.OwnPluginCache()
		if err := os.MkdirAll(h.wd.OwnPluginCache(), 0o700); err != nil {
			return fmt.Errorf("stack %s: create its plugin cache: %w", s.Name, err)
		}
	}
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
	h.env = env
	return nil
}

// varFiles are the user's var files, then tfrebuild's generated one,
// which therefore wins on a clash.
func varFiles(h *handle) []string {
	return append(slices.Clone(h.stack.VarFiles), h.wd.VarFile())
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
// OpenTofu: OpenTofu warns about it on stdout, ahead of the JSON that
// tfrebuild reads (`version -json`, `show -json`, `apply -json`), which
// would then fail with a message that says nothing about the cause.
func checkCLIConfig(b *Binary, env map[string]string) error {
	path := env["TF_CLI_CONFIG_FILE"]
	if b == nil || b.Engine != EngineOpenTofu || path == "" {
		return nil
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("TF_CLI_CONFIG_FILE=%s: %w; OpenTofu would warn about it on stdout, ahead of the JSON tfrebuild reads. Point it at an existing file or unset it", path, err)
	}
	return nil
}
