package kernels

import (
	"slices"
	"testing"

	"github.com/alexnet-go/alexnet/internal/cpuvariant"
)

// TestRequantize checks RequantizeU8 and DequantizeF32 against values
// worked out by hand from their documented formulas: the zero-point
// correction, the bias, ties rounding to even (0.5 → 0, 1.5 → 2,
// -2.5 → -2), the clamps at 0 and 255, and the ReLU at the zero point,
// with every variant.
func TestRequantize(t *testing.T) {
	cpuvariant.ForEach(t, testRequantize)
}

func testRequantize(t *testing.T) {
	// Column 0: acc = c − 30, x = acc + 2, y = x·1 + 10.
	// Column 1: acc = c + 12, x = acc − 2, y = round(x·0.5) + 10.
	r := Requant{ZeroA: 3, ColSum: []int32{10, -4}, Scale: []float32{0.5, 0.25}, Bias: []float32{1, -0.5}, OutScale: 0.5, ZeroOut: 10}
	const ld = 3 // row stride of c and of the outputs: one unused column
	c := []int32{40, -9, 0, 300, -7, 0, 0, -8, 0, 31, -15, 0}
	const m, n = 4, 2
	for _, tc := range []struct {
		relu  bool
		wantU []uint8
		wantF []float32
	}{
		{false, []uint8{22, 10, 99, 255, 12, 99, 0, 11, 99, 13, 8, 99},
			[]float32{6, 0.25, -1, 136, 0.75, -1, -14, 0.5, -1, 1.5, -1.25, -1}},
		{true, []uint8{22, 10, 99, 255, 12, 99, 10, 11, 99, 13, 10, 99},
			[]float32{6, 0.25, -1, 136, 0.75, -1, 0, 0.5, -1, 1.5, 0, -1}},
	} {
		r.ReLU = tc.relu
		u := slices.Repeat([]uint8{99}, m*ld)
		RequantizeU8(u, ld, c, ld, m, n, &r)
		if !slices.Equal(u, tc.wantU) {
			t.Errorf("ReLU=%v: RequantizeU8 = %v, want %v", tc.relu, u, tc.wantU)
		}
		f := slices.Repeat([]float32{-1}, m*ld)
		DequantizeF32(f, ld, c, ld, m, n, &r)
		if !slices.Equal(f, tc.wantF) {
			t.Errorf("ReLU=%v: DequantizeF32 = %v, want %v", tc.relu, f, tc.wantF)
		}
	}
	// Without zero point (ColSum nil) or bias.
	r = Requant{Scale: []float32{1}, OutScale: 2}
	u := make([]uint8, 3)
	RequantizeU8(u, 1, []int32{5, 7, -1}, 1, 3, 1, &r)
	if want := []uint8{2, 4, 0}; !slices.Equal(u, want) {
		t.Errorf("no zero point, no bias: %v, want %v", u, want)
	}
}
