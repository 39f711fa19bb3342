package testutil

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alexnet-go/alexnet/internal/npy"
	"github.com/alexnet-go/alexnet/internal/numcmp"
	"github.com/alexnet-go/alexnet/tensor"
)

// modulePath is the module line of the repository's go.mod.
const modulePath = "module github.com/alexnet-go/alexnet"

// Root returns the repository root: the nearest folder at or above the
// test's working folder (its package folder) whose go.mod is this
// module's.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && isModule(string(b)) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("no go.mod of %s above the test's folder", strings.TrimPrefix(modulePath, "module "))
		}
		dir = parent
	}
}

// isModule reports whether a go.mod's text declares this module.
func isModule(gomod string) bool {
	for _, l := range strings.Split(gomod, "\n") {
		if strings.TrimSpace(l) == modulePath {
			return true
		}
	}
	return false
}

// Testdata returns the path of elem under the repository's testdata
// folder ("testdata/model/tv_narrow" for Testdata(t, "model", "tv_narrow")).
func Testdata(t testing.TB, elem ...string) string {
	t.Helper()
	return filepath.Join(append([]string{Root(t), "testdata"}, elem...)...)
}

// SharedData returns the path of elem under shared/data, the folder of
// real data sets beside (or above) the checkout, found by walking up from
// the test's folder. It skips the test when no shared/data above holds
// elem, so tests on real data run where the data is and are skipped
// elsewhere.
func SharedData(t testing.TB, elem ...string) string {
	t.Helper()
	rel := filepath.Join(append([]string{"shared", "data"}, elem...)...)
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, rel)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skipf("%s not found above the package folder; skipping the test on real data", rel)
		}
		dir = parent
	}
}

// ReadJSON decodes the JSON file at path into v.
func ReadJSON(t testing.TB, path string, v any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// ReadNpy reads the .npy file at path.
func ReadNpy(t testing.TB, path string) *npy.Array {
	t.Helper()
	a, err := npy.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// ReadTensor reads the .npy file at path as a float32 tensor; a uint8
// array (a dropout mask, an image) is converted value by value.
func ReadTensor(t testing.TB, path string) *tensor.Tensor {
	t.Helper()
	a := ReadNpy(t, path)
	data := a.F32
	if a.U8 != nil {
		data = make([]float32, len(a.U8))
		for i, v := range a.U8 {
			data[i] = float32(v)
		}
	}
	x, err := tensor.FromData(data, a.Shape...)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return x
}

// ReadLines returns the lines of the text file at path, trimmed of
// surrounding white space, without the blank ones.
func ReadLines(t testing.TB, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			out = append(out, l)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return out
}

// CheckClose fails t (at once) unless got has want's shape and no value
// more than tol from want's, a NaN counting as too far, and logs the
// largest difference; what, when not empty, starts the messages.
func CheckClose(t testing.TB, what string, got, want *tensor.Tensor, tol float64) {
	t.Helper()
	if what != "" {
		what += " "
	}
	if !tensor.SameShape(got.Shape, want.Shape) {
		t.Fatalf("%sshape %v, want %v", what, got.Shape, want.Shape)
	}
	d := numcmp.MaxAbsDiff(got.Data, want.Data)
	if d > tol || math.IsNaN(d) {
		t.Fatalf("%smax abs diff %g > %g", what, d, tol)
	}
	t.Logf("%smax abs diff %.3g", what, d)
}

// ReadFile returns the contents of the file at path.
func ReadFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ClassifyImages returns the paths of the images listed in
// testdata/classify/images.txt (relative to the repository root there),
// in their order: the images whose PyTorch logits the classify fixtures
// hold.
func ClassifyImages(t testing.TB) []string {
	t.Helper()
	root := Root(t)
	lines := ReadLines(t, Testdata(t, "classify", "images.txt"))
	for i, l := range lines {
		lines[i] = filepath.Join(root, l)
	}
	return lines
}

// CheckRangeClose fails t unless got is within frac of want's range
// (max(want) - min(want)) of want, element by element: the tolerance of
// a quantized model's logits against the float32 ones. It logs the
// largest difference.
func CheckRangeClose(t testing.TB, what string, got, want []float32, frac float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	lo, hi, worst := math.Inf(1), math.Inf(-1), 0.0
	for i, v := range want {
		lo, hi = min(lo, float64(v)), max(hi, float64(v))
		worst = max(worst, math.Abs(float64(got[i]-v)))
	}
	if !(worst <= frac*(hi-lo)) {
		t.Fatalf("%s: values differ by %.3g, more than %g of the range %.3g", what, worst, frac, hi-lo)
	}
	t.Logf("%s: max abs diff %.3g (range %.3g)", what, worst, hi-lo)
}
