package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestGemvT compares GemvT with the sums in float64, for row counts
// around the 4-row step, zeros in x, a row stride wider than y, and 1 and
// 3 goroutines: within 1e-5 of the largest |term| sum.
func TestGemvT(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, k := range []int{0, 1, 3, 4, 5, 9, 64} {
		for _, threads := range []int{1, 3} {
			n, ldw := 700, 710
			x, w := make([]float32, k), make([]float32, k*ldw)
			for i := range x {
				if rng.IntN(3) > 0 {
					x[i] = float32(rng.NormFloat64())
				}
			}
			for i := range w {
				w[i] = float32(rng.NormFloat64())
			}
			y := make([]float32, n)
			for i := range y {
				y[i] = 99 // overwritten
			}
			GemvT(y, x, w, ldw, threads)
			for j := range n {
				want, scale := 0.0, 0.0
				for i := range k {
					want += float64(x[i]) * float64(w[i*ldw+j])
					scale += math.Abs(float64(x[i]) * float64(w[i*ldw+j]))
				}
				if math.Abs(float64(y[j])-want) > 1e-5*max(scale, 1) {
					t.Fatalf("k=%d threads=%d: y[%d] = %v, want %v", k, threads, j, y[j], want)
				}
			}
		}
	}
}
