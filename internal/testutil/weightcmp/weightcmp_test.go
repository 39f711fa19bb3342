package weightcmp

import (
	"path/filepath"
	"testing"

	"github.com/alexnet-go/alexnet/tensor"
	"github.com/alexnet-go/alexnet/weights"
)

// Same passes a file against itself and reports a changed tensor.
func TestSame(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.safetensors"), filepath.Join(dir, "b.pth")
	sd := weights.NewStateDict()
	w := tensor.New(3)
	copy(w.Data, []float32{1, 2, 3})
	sd.Add("w", w)
	if err := weights.Save(a, sd); err != nil {
		t.Fatal(err)
	}
	w.Data[1] = 5
	if err := weights.Save(b, sd); err != nil {
		t.Fatal(err)
	}
	if got := Same(t, a, a); len(got.Names) != 1 || got.Names[0] != "w" {
		t.Errorf("state dict %v", got.Names)
	}
	var rec recorder
	Same(&rec, a, b)
	if rec.errors != 1 {
		t.Errorf("%d errors for a changed tensor, want 1", rec.errors)
	}
}

// recorder is a testing.TB that counts errors instead of failing.
type recorder struct {
	testing.TB
	errors int
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.errors++ }
func (r *recorder) Fatal(args ...any)     { panic(args) }
