package rebuild

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The engine reaches AWS only through its collaborators (Deps: sessions,
// tfstate, restorers, stores), which the command builds: no file of it
// imports an AWS SDK service package.
func TestEngineImportsNoAWSService(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(path, "github.com/aws/aws-sdk-go-v2/service/") || strings.HasPrefix(path, "github.com/tfrebuild/tfrebuild/checkpoint/") {
				t.Errorf("%s imports %s: build it in cmd/tfrebuild/wire.go or its owning package and pass it in Deps", f, path)
			}
		}
	}
}
