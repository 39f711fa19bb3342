package kernels

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestLeafPackage holds the dependency direction: kernels imports only the
// standard library, golang.org/x/sys/cpu (for CPU feature dispatch) and,
// of this module, the variant registry internal/cpuvariant (a leaf).
func TestLeafPackage(t *testing.T) {
	const cpuvariantPath = "github.com/alexnet-go/alexnet/internal/cpuvariant"
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range af.Imports {
			if p := strings.Trim(im.Path.Value, `"`); strings.Contains(p, ".") && p != "golang.org/x/sys/cpu" && p != cpuvariantPath {
				t.Errorf("%s imports %s; kernels must import only the standard library, x/sys/cpu and %s", f, p, cpuvariantPath)
			}
		}
	}
}
