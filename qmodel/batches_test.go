package qmodel

import (
	"errors"
	"slices"
	"testing"

	"github.com/alexnet-go/alexnet/tensor"
)

// BatchesOf covers 0..n-1 in order, the last batch partial, and stops at
// the first error.
func TestBatchesOf(t *testing.T) {
	var got [][2]int
	b := BatchesOf(7, 3, func(lo, hi int) (*tensor.Tensor, error) {
		got = append(got, [2]int{lo, hi})
		return tensor.New(hi-lo, 3, 1, 1), nil
	})
	sizes := 0
	if err := b(func(x *tensor.Tensor) error { sizes += x.Shape[0]; return nil }); err != nil {
		t.Fatal(err)
	}
	if want := [][2]int{{0, 3}, {3, 6}, {6, 7}}; !slices.Equal(got, want) || sizes != 7 {
		t.Errorf("ranges %v (%d images), want %v", got, sizes, want)
	}
	stop := errors.New("stop")
	calls := 0
	err := BatchesOf(7, 3, func(lo, hi int) (*tensor.Tensor, error) { calls++; return nil, stop })(
		func(*tensor.Tensor) error { return nil })
	if err != stop || calls != 1 {
		t.Errorf("err %v after %d loads, want stop after 1", err, calls)
	}
}
