package jpeg

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixtures holds the test images and Pillow's and libjpeg-turbo's
// outputs for them (testdata/gen/jpeg.py).
const fixtures = "../../testdata/jpeg"

// fixtureFiles returns the paths of the fixtures matching pattern (a
// filepath.Match pattern such as "*.jpg"), failing tb when there are none.
func fixtureFiles(tb testing.TB, pattern string) []string {
	tb.Helper()
	files, _ := filepath.Glob(filepath.Join(fixtures, pattern))
	if len(files) == 0 {
		tb.Fatalf("no fixtures %s; run testdata/gen/jpeg.py", pattern)
	}
	return files
}

// readFixture returns the bytes of the file at path, a fixture's path or
// a name in the fixture folder.
func readFixture(tb testing.TB, path string) []byte {
	tb.Helper()
	if filepath.Dir(path) == "." {
		path = filepath.Join(fixtures, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// eachFixture runs f in a subtest NAME for every fixture NAME.ext, with
// that file's path and the bytes of NAME.jpg.
func eachFixture(t *testing.T, ext string, f func(t *testing.T, path string, jpg []byte)) {
	for _, p := range fixtureFiles(t, "*."+ext) {
		name := strings.TrimSuffix(filepath.Base(p), "."+ext)
		t.Run(name, func(t *testing.T) {
			f(t, p, readFixture(t, name+".jpg"))
		})
	}
}
