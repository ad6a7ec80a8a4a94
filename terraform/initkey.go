package terraform

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// A stack's data dir survives between runs, so a resume need not run init
// again for a stack that an earlier run initialised, when nothing init
// depends on has changed since: the engine, init's arguments, the backend
// config, the Terraform files of the stack and of the local modules it
// calls, the lock file, and the CLI configuration (mirrors, plugin
// cache). After each successful init, a digest of these is kept in the
// data dir (initKeyFile); a later run whose digest is the same skips init.
// The file is removed before init starts, so that an init that was killed
// half-way is run again. If Terraform still asks for init (someone emptied
// the plugin cache or the data dir since), afterInit runs it and the
// command again.

const initKeyFile = "tfrebuild-init.sha256"

// initKey is the digest of what the stack's init depends on.
func (r *Runner) initKey(h *handle, args []string) (string, error) {
	d := sha256.New()
	field := func(name, value string) { fmt.Fprintf(d, "%s=%d:%s\n", name, len(value), value) }
	field("engine", r.Binary.Engine+" "+r.Binary.Version+" "+r.Binary.Path)
	field("args", strings.Join(args, "\x00"))
	field("dir", h.dir)
	for _, k := range []string{"TF_CLI_CONFIG_FILE", "TF_PLUGIN_CACHE_DIR", "TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE", "TF_DATA_DIR"} {
		field(k, h.env[k])
	}
	files := []string{h.wd.BackendFile(), filepath.Join(h.dir, LockFileName), cliConfig(h.env)}
	// The stack's configuration, in the working copy or called by a
	// wrapper root, and its local modules: init reads their module calls
	// and provider requirements.
	if h.wrapped {
		tf, err := terraformFiles(h.dir)
		if err != nil {
			return "", err
		}
		files = append(files, tf...)
	}
	for _, f := range h.stack.Files {
		if isConfigFile(f) {
			files = append(files, filepath.Join(h.stack.SourceDir, filepath.FromSlash(f)))
		}
	}
	for _, f := range files {
		if err := hashFile(d, f); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(d.Sum(nil)), nil
}

// cliConfig is the CLI configuration Terraform reads: TF_CLI_CONFIG_FILE,
// else ~/.terraformrc.
func cliConfig(env map[string]string) string {
	if f := env["TF_CLI_CONFIG_FILE"]; f != "" {
		return f
	}
	return filepath.Join(env["HOME"], ".terraformrc")
}

// terraformFiles are the configuration files of one module directory.
func terraformFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && isConfigFile(e.Name()) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	slices.Sort(out)
	return out, nil
}

// isConfigFile reports whether a file is Terraform or OpenTofu
// configuration, by its name.
func isConfigFile(n string) bool {
	return strings.HasSuffix(n, ".tf") || strings.HasSuffix(n, ".tf.json") || strings.HasSuffix(n, ".tofu") || strings.HasSuffix(n, ".tofu.json")
}

// hashFile adds a file's name and content to the digest; a missing file
// counts as absent, not as an error.
func hashFile(d io.Writer, path string) error {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		fmt.Fprintf(d, "file %s absent\n", path)
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	fmt.Fprintf(d, "file %s\n", path)
	_, err = io.Copy(d, f)
	return err
}

// initedFor reports whether the data dir was initialised for key.
func (h *handle) initedFor(key string) bool {
	got, err := os.ReadFile(filepath.Join(h.wd.DataDir(), initKeyFile))
	return err == nil && key != "" && strings.TrimSpace(string(got)) == key
}

// forgetInit removes the record of a finished init, before init runs.
func (h *handle) forgetInit() {
	_ = os.Remove(filepath.Join(h.wd.DataDir(), initKeyFile))
}

// rememberInit records a finished init. A failure to write it only costs
// the next run an init.
func (h *handle) rememberInit(key string) {
	if key != "" {
		_ = writeFile(filepath.Join(h.wd.DataDir(), initKeyFile), []byte(key+"\n"))
	}
}

// command runs one Terraform command that needs the stack initialised:
// timed and logged, and run again after init when a skipped init turns
// out to be needed (afterInit).
func (r *Runner) command(ctx context.Context, h *handle, verb string, out io.Writer, args []string) error {
	return r.afterInit(ctx, h, func() error { return h.timed(verb, func() error { return r.run(ctx, h, out, args) }) })
}

// afterInit runs a command that needs the stack initialised. When this
// run skipped init and Terraform asks for it nonetheless, init runs and
// the command once more: Terraform refuses so before it takes the state
// lock or changes anything.
func (r *Runner) afterInit(ctx context.Context, h *handle, command func() error) error {
	err := command()
	if err == nil || !h.initSkipped || !asksForInit(errorLines(h.log.Name()), r.Binary.Program()) {
		return err
	}
	fmt.Fprintf(h.log, "\n%sthe data dir was initialised for the same inputs, yet %s asks for init: running it\n", logMarker, r.Binary.Program())
	h.forgetInit()
	h.inited, h.initSkipped = false, false
	if err := r.init(ctx, h); err != nil {
		return err
	}
	if err := r.prepare(ctx, h); err != nil {
		return err
	}
	return command()
}

// needsInit are the errors with which Terraform and OpenTofu refuse to run
// in a working directory that init has not prepared for its configuration.
// Some name init (`Please run "terraform init"`); others do not, in
// automation mode ("Required plugins are not installed").
var needsInit = []string{
	"Error: Backend initialization required",
	"Error: Backend configuration changed",
	"Error: Required plugins are not installed",
	"Error: Inconsistent dependency lock file",
	"Error: Module not installed",
	"Error: Module source has changed",
	"Error: Module version requirements have changed",
}

// asksForInit reports whether Terraform's error lines say that the working
// directory needs init.
func asksForInit(lines []string, program string) bool {
	for _, l := range lines {
		if strings.Contains(l, program+" init") || slices.ContainsFunc(needsInit, func(e string) bool { return strings.HasPrefix(l, e) }) {
			return true
		}
	}
	return false
}
