package config

import (
	"path/filepath"
	"strings"
)

// StateDir is the folder where tfrebuild keeps what it writes locally for
// this config (checkpoint, per-stack work folders, logs). It sits beside the
// config file and derives from its name, so two configs in one folder never
// share a checkpoint: rebuild.hcl keeps the historical .tfrebuild/, any other
// file NAME.hcl gets .tfrebuild-NAME/.
func (c *Config) StateDir() string {
	return filepath.Join(c.Dir, StateDirName(c.Filename))
}

// StateDirName is the base name of StateDir for a config file path.
func StateDirName(filename string) string {
	base := filepath.Base(filename)
	if base == "rebuild.hcl" {
		return ".tfrebuild"
	}
	stem := strings.TrimSuffix(base, filepath.Ext(base))
	if stem == "" {
		stem = base
	}
	var b strings.Builder
	for _, r := range stem {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteRune('_')
		}
	}
	return ".tfrebuild-" + b.String()
}
