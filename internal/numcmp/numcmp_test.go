package numcmp

import (
	"math"
	"testing"
)

func TestRelMaxDiff(t *testing.T) {
	nan := float32(math.NaN())
	for _, tc := range []struct {
		got, want []float32
		d         float64
	}{
		{[]float32{1, 2}, []float32{1, 2}, 0},
		{[]float32{1, 3}, []float32{1, 2}, 0.5},
		{[]float32{0.5, 0}, []float32{0, 0}, 0.5},
		{[]float32{nan, 2}, []float32{1, 2}, math.Inf(1)},
	} {
		if d := RelMaxDiff(tc.got, tc.want); d != tc.d {
			t.Errorf("RelMaxDiff(%v, %v) = %g, want %g", tc.got, tc.want, d, tc.d)
		}
	}
}

func TestMaxAbsDiff(t *testing.T) {
	nan := float32(math.NaN())
	if d := MaxAbsDiff([]float32{1, -2, 3}, []float32{1.5, -2, 0}); d != 3 {
		t.Errorf("MaxAbsDiff = %g, want 3", d)
	}
	if d := MaxAbsDiff([]float32{1, nan, 3}, []float32{9, 2, 3}); !math.IsNaN(d) {
		t.Errorf("MaxAbsDiff with a NaN = %g, want NaN", d)
	}
}
