package terraform

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Terraform's read-only init says that the provider requirements and the
// lock file disagree, but not about which provider. lockMismatches names
// them, from the required_providers of the stack and its local modules
// against the provider blocks of the lock file.

var (
	terraformSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "terraform"}}}
	requiredSchema  = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "required_providers"}}}
	lockSchema      = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "provider", LabelNames: []string{"address"}}}}
)

// lockMismatches lists, one line each, the providers the stack requires
// that its lock file does not list, or lists at a version the stack's
// constraints exclude.
func lockMismatches(s Stack, lockPath string) []string {
	locked := lockedVersions(lockPath)
	required := map[string][]string{} // namespace/type -> constraints
	for _, mod := range append([]string{"."}, s.Modules...) {
		for src, c := range requiredProviders(s.SourceDir, mod, s.Files) {
			required[src] = append(required[src], c...)
		}
	}
	var out []string
	for src, constraints := range required {
		v, ok := locked[src]
		if !ok {
			out = append(out, fmt.Sprintf("provider %s is required but %s does not list it", src, lockPath))
			continue
		}
		for _, c := range constraints {
			cs, err := version.NewConstraint(c)
			lv, verr := version.NewVersion(v)
			if err == nil && verr == nil && !cs.Check(lv) {
				out = append(out, fmt.Sprintf("provider %s is locked at %s, which the constraint %q excludes", src, v, c))
			}
		}
	}
	sort.Strings(out)
	return out
}

// lockedVersions reads a lock file's provider versions by namespace/type,
// whatever registry host they came from.
func lockedVersions(path string) map[string]string {
	data, err := os.ReadFile(path)
	if err != nil {
		return map[string]string{}
	}
	return lockedVersionsOf(data)
}

// lockedVersionsOf is lockedVersions of a lock file's contents (lockPins
// reads its provider blocks).
func lockedVersionsOf(data []byte) map[string]string {
	out := map[string]string{}
	for _, p := range lockPins(data) {
		out[shortSource(p.address)] = p.version
	}
	return out
}

// requiredProviders reads the required_providers of the .tf files of one
// module directory, mod, among a stack's files.
func requiredProviders(stackDir, mod string, files []string) map[string][]string {
	out := map[string][]string{}
	for _, f := range files {
		if path.Dir(f) != path.Clean(mod) || !strings.HasSuffix(f, ".tf") {
			continue
		}
		name := filepath.Join(stackDir, filepath.FromSlash(f))
		data, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		f, diags := hclsyntax.ParseConfig(data, name, hcl.InitialPos)
		if diags.HasErrors() {
			continue
		}
		tf, _, _ := f.Body.PartialContent(terraformSchema)
		for _, t := range tf.Blocks {
			req, _, _ := t.Body.PartialContent(requiredSchema)
			for _, r := range req.Blocks {
				attrs, _ := r.Body.JustAttributes()
				for local, a := range attrs {
					src, constraint := providerRequirement(local, a)
					if constraint != "" {
						out[src] = append(out[src], constraint)
					} else if _, ok := out[src]; !ok {
						out[src] = nil
					}
				}
			}
		}
	}
	return out
}

// providerRequirement reads `name = { source = "ns/type", version = "..." }`
// or the legacy `name = "constraint"`.
func providerRequirement(local string, a *hcl.Attribute) (src, constraint string) {
	src = "hashicorp/" + local
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || v.IsNull() || !v.IsKnown() {
		return src, ""
	}
	if v.Type() == cty.String {
		return src, v.AsString()
	}
	if !v.Type().IsObjectType() {
		return src, ""
	}
	if v.Type().HasAttribute("source") {
		if s := v.GetAttr("source"); s.Type() == cty.String && !s.IsNull() {
			src = shortSource(s.AsString())
		}
	}
	if v.Type().HasAttribute("version") {
		if s := v.GetAttr("version"); s.Type() == cty.String && !s.IsNull() {
			constraint = s.AsString()
		}
	}
	return src, constraint
}

// shortSource drops the registry host: registry.terraform.io/hashicorp/null
// and registry.opentofu.org/hashicorp/null are both hashicorp/null.
func shortSource(s string) string {
	parts := strings.Split(strings.ToLower(s), "/")
	if len(parts) == 3 {
		return parts[1] + "/" + parts[2]
	}
	return strings.Join(parts, "/")
}
