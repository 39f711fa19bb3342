package testutil

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/alexnet-go/alexnet/internal/npy"
	"github.com/alexnet-go/alexnet/tensor"
)

// Root finds the checkout from this package's folder two levels down, and
// Testdata and NarrowWeights name files that are there.
func TestRootAndTestdata(t *testing.T) {
	root := Root(t)
	want, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if root != want {
		t.Errorf("Root = %s, want %s", root, want)
	}
	for _, p := range []string{Testdata(t, "model", "tv_narrow", "config.json"), NarrowWeights(t)} {
		if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
	if !isModule("// c\nmodule github.com/alexnet-go/alexnet\n\ngo 1.24\n") || isModule("module github.com/alexnet-go/alexnet/x\n") {
		t.Error("isModule does not match the module line exactly")
	}
}

// SharedData skips when the data is absent.
func TestSharedDataSkips(t *testing.T) {
	ok := t.Run("absent", func(t *testing.T) {
		SharedData(t, "no-such-data-set-here")
		t.Error("SharedData returned for an absent folder")
	})
	if !ok {
		t.Error("the subtest failed instead of skipping")
	}
}

// ReadTensor converts uint8 arrays value by value and keeps float32 ones;
// ReadLines trims and drops blank lines.
func TestReadTensorAndLines(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, put func(f *os.File) error) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := put(f); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		return p
	}
	u8 := write("u.npy", func(f *os.File) error { return npy.WriteU8(f, []int{2, 2}, []uint8{0, 1, 128, 255}) })
	f32 := write("f.npy", func(f *os.File) error { return npy.WriteF32(f, []int{3}, []float32{-1.5, 0, 2}) })
	if x := ReadTensor(t, u8); !slices.Equal(x.Shape, []int{2, 2}) || !slices.Equal(x.Data, []float32{0, 1, 128, 255}) {
		t.Errorf("uint8: %v %v", x.Shape, x.Data)
	}
	if x := ReadTensor(t, f32); !slices.Equal(x.Shape, []int{3}) || !slices.Equal(x.Data, []float32{-1.5, 0, 2}) {
		t.Errorf("float32: %v %v", x.Shape, x.Data)
	}
	txt := write("l.txt", func(f *os.File) error { _, err := f.WriteString(" a \n\n\tb\n  \nc"); return err })
	if got := ReadLines(t, txt); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("ReadLines = %q", got)
	}
}

// The narrow fixture of testdata/model/tv_narrow reads whole: every
// state_dict key, and the input scaled to (u - 128) / 64.
func TestNarrow(t *testing.T) {
	dir := Testdata(t, "model", "tv_narrow")
	c := ReadNarrowConfig(t, dir)
	if c.Arch != "torchvision" || len(c.Channels) != 5 || len(c.StateDict) == 0 {
		t.Fatalf("config %+v", c)
	}
	sd := NarrowStateDict(t, dir, c.StateDict)
	if len(sd) != len(c.StateDict) {
		t.Errorf("%d tensors for %d keys", len(sd), len(c.StateDict))
	}
	if w := sd["features.0.weight"]; w == nil || !slices.Equal(w.Shape, []int{c.Channels[0], 3, 11, 11}) {
		t.Errorf("features.0.weight: %v", w)
	}
	x := NarrowInput(t, dir)
	u := ReadNpy(t, filepath.Join(dir, "input_u8.npy"))
	if !slices.Equal(x.Shape, u.Shape) || len(x.Data) != len(u.U8) {
		t.Fatalf("input shape %v, stored %v", x.Shape, u.Shape)
	}
	for i, v := range u.U8 {
		if x.Data[i] != (float32(v)-128)/64 {
			t.Fatalf("x[%d] = %v for u %d", i, x.Data[i], v)
		}
	}
}

// fatalRecorder is a testing.TB whose Fatalf records the failure and
// stops the helper (by a panic that checkFails recovers).
type fatalRecorder struct {
	testing.TB
	failed bool
}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.failed = true
	panic(r)
}

func (r *fatalRecorder) Helper() {}

// checkFails reports whether fn failed r.
func checkFails(t *testing.T, fn func(tb testing.TB)) (failed bool) {
	r := &fatalRecorder{TB: t}
	defer func() {
		if v := recover(); v != nil && v != any(r) {
			panic(v)
		}
		failed = r.failed
	}()
	fn(r)
	return false
}

// CheckClose passes values within tol, and fails on a wrong shape, a value
// too far or a NaN.
func TestCheckClose(t *testing.T) {
	want, _ := tensor.FromData([]float32{1, 2, 3}, 3)
	for _, c := range []struct {
		data  []float32
		shape []int
		pass  bool
	}{
		{[]float32{1, 2.05, 3}, []int{3}, true},
		{[]float32{1, 2.2, 3}, []int{3}, false},
		{[]float32{1, float32(math.NaN()), 3}, []int{3}, false},
		{[]float32{1, 2, 3}, []int{1, 3}, false},
	} {
		got, _ := tensor.FromData(c.data, c.shape...)
		failed := checkFails(t, func(tb testing.TB) { CheckClose(tb, "x", got, want, 0.1) })
		if failed == c.pass {
			t.Errorf("CheckClose(%v %v): failed %v, want %v", c.data, c.shape, failed, !c.pass)
		}
	}
}

// CheckRangeClose passes values within frac of want's range (here 2), and
// fails beyond it, on a NaN, and on a length mismatch.
func TestCheckRangeClose(t *testing.T) {
	want := []float32{1, 2, 3}
	for _, c := range []struct {
		got  []float32
		pass bool
	}{
		{[]float32{1, 2.19, 3}, true},
		{[]float32{1, 2.21, 3}, false},
		{[]float32{1, float32(math.NaN()), 3}, false},
		{[]float32{1, 2}, false},
	} {
		failed := checkFails(t, func(tb testing.TB) { CheckRangeClose(tb, "x", c.got, want, 0.1) })
		if failed == c.pass {
			t.Errorf("CheckRangeClose(%v): failed %v, want %v", c.got, failed, !c.pass)
		}
	}
}
