package kernels

import (
	"math"
	"math/rand"
	"testing"
)

// TestSGDMomentum checks the active SGDMomentum against the portable loop
// bit for bit, on 0 to 70 values with NaN, ±0, infinities and subnormals
// among them, and that it writes nothing past len(w).
func TestSGDMomentum(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	special := []float32{float32(math.NaN()), 0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), 1e-40, -3}
	fill := func(n int) []float32 {
		s := guarded(n)
		for i := range n {
			s[i] = float32(rng.NormFloat64())
			if rng.Intn(6) == 0 {
				s[i] = special[rng.Intn(len(special))]
			}
		}
		return s
	}
	for n := 0; n <= 70; n++ {
		w, g, buf := fill(n), fill(n), fill(n)
		w2, buf2 := append([]float32(nil), w...), append([]float32(nil), buf...)
		SGDMomentum(w[:n], g, buf, 0.05, 0.9, 1, 5e-4)
		sgdMomentumGo(w2[:n], g, buf2, 0.05, 0.9, 1, 5e-4)
		if i := sameBits(w, w2); i >= 0 {
			t.Fatalf("n=%d: w[%d] = %v, want %v", n, i, w[i], w2[i])
		}
		if i := sameBits(buf, buf2); i >= 0 {
			t.Fatalf("n=%d: buf[%d] = %v, want %v", n, i, buf[i], buf2[i])
		}
		for _, s := range [][]float32{w, buf} {
			for _, v := range s[n:] {
				if v != guard {
					t.Fatalf("n=%d: guard overwritten", n)
				}
			}
		}
	}
}
