// Package weightcmp compares weights files in tests. It is apart from
// testutil because package weights' own tests use testutil.
package weightcmp

import (
	"slices"
	"testing"

	"github.com/alexnet-go/alexnet/weights"
)

// Same loads the weights files want and got (.pth or
// .safetensors), reports names that differ (or come in another order)
// and each tensor of want that got does not hold with the same values,
// and returns want's state dict.
func Same(t testing.TB, want, got string) *weights.StateDict {
	t.Helper()
	a, err := weights.Load(want, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := weights.Load(got, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Names, b.Names) {
		t.Errorf("%s names %v, %s names %v", want, a.Names, got, b.Names)
	}
	for _, n := range a.Names {
		if bt := b.Tensors[n]; bt == nil || !slices.Equal(a.Tensors[n].Data, bt.Data) {
			t.Errorf("%s: %s differs from %s", n, got, want)
		}
	}
	return a
}
