package weights

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// WriteClasses writes one name a line; ReadClasses reads them back from
// beside a weights file, without blank lines, and nil without the file.
func TestClassesFile(t *testing.T) {
	dir := t.TempDir()
	w := filepath.Join(dir, "model.pth")
	if got, err := ReadClasses(w); got != nil || err != nil {
		t.Errorf("no classes.txt: %v, %v; want nil, nil", got, err)
	}
	if err := WriteClasses(dir, []string{"tench", "goldfish"}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, ClassesFile))
	if err != nil || string(b) != "tench\ngoldfish\n" {
		t.Errorf("classes file %q, %v", b, err)
	}
	if err := os.WriteFile(filepath.Join(dir, ClassesFile), []byte(" tench \n\ngoldfish"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadClasses(w); err != nil || !slices.Equal(got, []string{"tench", "goldfish"}) {
		t.Errorf("ReadClasses = %q, %v", got, err)
	}
}
