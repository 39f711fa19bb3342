package kernels

import (
	"math/rand"
	"testing"
)

// TestSGDMomentum checks the active SGDMomentum against the portable loop
// bit for bit, on 0 to 70 values with NaN, ±0, infinities and subnormals
// among them, and that it writes nothing past len(w).
func TestSGDMomentum(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	for n := 0; n <= 70; n++ {
		w, g, buf := guardedSpecials(rng, n), guardedSpecials(rng, n), guardedSpecials(rng, n)
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
