package kernels

import (
	"math"
	"math/rand"
	"testing"
)

// sameBits reports the first index where a and b differ bit for bit, or -1.
func sameBits(a, b []float32) int {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i
		}
	}
	return -1
}

// withSpecials returns x with NaN, ±inf, ±0 and ties spread through it.
func withSpecials(rng *rand.Rand, x []float32) []float32 {
	specials := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0, float32(math.Copysign(0, -1)), 1, 1}
	for i := 0; i < len(x)/7; i++ {
		x[rng.Intn(len(x))] = specials[rng.Intn(len(specials))]
	}
	return x
}

// reluBackwardNaive is ReLUBackward's loop with a branch.
func reluBackwardNaive(y, dy, dx []float32) {
	for i, d := range dy {
		if !(y[i] > 0) {
			d = 0
		}
		dx[i] = d
	}
}

// TestParFor checks that the ranges cover [0, n) once each, with grain
// and thread counts that do and do not divide n.
func TestParFor(t *testing.T) {
	for _, n := range []int{0, 1, 15, 16, 17, 100, 1000} {
		for _, grain := range []int{0, 1, 16, 64} {
			for threads := -1; threads <= 5; threads++ {
				hits := make([]int32, n)
				ParFor(n, grain, threads, func(lo, hi int) {
					if grain > 1 && lo%grain != 0 {
						t.Errorf("n %d grain %d: range starts at %d", n, grain, lo)
					}
					for i := lo; i < hi; i++ {
						hits[i]++
					}
				})
				for i, h := range hits {
					if h != 1 {
						t.Fatalf("n %d grain %d threads %d: element %d run %d times", n, grain, threads, i, h)
					}
				}
			}
		}
	}
}

// TestElementwiseThreads checks ReLUBackward against its branching twin
// and the Threads variants of ReLUBackward, Mul and Clear against the
// serial kernels bit for bit, on lengths around ElementGrain.
func TestElementwiseThreads(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	for _, n := range []int{0, 5, ElementGrain - 1, 3*ElementGrain + 7} {
		y, dy := withSpecials(rng, randSlice(rng, n)), withSpecials(rng, randSlice(rng, n))
		want := make([]float32, n)
		reluBackwardNaive(y, dy, want)
		got := make([]float32, n)
		ReLUBackward(y, dy, got)
		if i := sameBits(got, want); i >= 0 {
			t.Fatalf("n %d: ReLUBackward[%d] = %v, want %v", n, i, got[i], want[i])
		}
		mul := make([]float32, n)
		Mul(y, dy, mul)
		for _, threads := range []int{1, 2, 3, 4} {
			got := randSlice(rng, n)
			ReLUBackwardThreads(y, dy, got, threads)
			if i := sameBits(got, want); i >= 0 {
				t.Fatalf("n %d threads %d: ReLUBackwardThreads[%d] = %v, want %v", n, threads, i, got[i], want[i])
			}
			MulThreads(y, dy, got, threads)
			if i := sameBits(got, mul); i >= 0 {
				t.Fatalf("n %d threads %d: MulThreads[%d] = %v, want %v", n, threads, i, got[i], mul[i])
			}
			ClearThreads(got, threads)
			for i, v := range got {
				if math.Float32bits(v) != 0 {
					t.Fatalf("n %d threads %d: ClearThreads left %v at %d", n, threads, v, i)
				}
			}
		}
	}
}

// TestBackwardThreads checks MaxPool2dBackwardThreads,
// AdaptiveAvgPool2dBackwardThreads and LRNBackwardThreads against their
// serial kernels bit for bit (the average pool against its general loop,
// which its single-input-window path skips), with plane and image counts
// that the thread counts do and do not divide, and stale output buffers.
func TestBackwardThreads(t *testing.T) {
	rng := rand.New(rand.NewSource(12))
	for _, g := range []ConvGeom{
		{C: 7, H: 13, W: 13, KH: 3, KW: 3, SH: 2, SW: 2},
		{C: 1, H: 8, W: 11, KH: 2, KW: 2, SH: 3, SW: 3},
		{C: 10, H: 7, W: 6, KH: 3, KW: 3, SH: 2, SW: 1, PH: 1, PW: 1},
	} {
		x := withSpecials(rng, randSlice(rng, g.C*g.H*g.W))
		dy := randSlice(rng, g.C*g.OH()*g.OW())
		want := randSlice(rng, len(x))
		MaxPool2dBackward(g, x, dy, want)
		for threads := 0; threads <= 4; threads++ {
			got := randSlice(rng, len(x))
			MaxPool2dBackwardThreads(g, x, nil, dy, got, threads)
			if i := sameBits(got, want); i >= 0 {
				t.Fatalf("%+v threads %d: MaxPool2dBackwardThreads[%d] = %v, want %v", g, threads, i, got[i], want[i])
			}
		}
	}
	for _, s := range [][5]int{{7, 13, 13, 6, 6}, {5, 6, 6, 6, 6}, {1, 7, 9, 3, 4}, {3, 1, 1, 1, 1}} {
		planes, h, w, oh, ow := s[0], s[1], s[2], s[3], s[4]
		dy := withSpecials(rng, randSlice(rng, planes*oh*ow))
		want := make([]float32, planes*h*w) // the general loop, also where windows are single inputs
		for c := 0; c < planes; c++ {
			avgPoolBackwardPlane(h, w, oh, ow, dy[c*oh*ow:(c+1)*oh*ow], want[c*h*w:(c+1)*h*w])
		}
		for threads := 0; threads <= 4; threads++ {
			got := randSlice(rng, len(want))
			AdaptiveAvgPool2dBackwardThreads(planes, h, w, oh, ow, dy, got, threads)
			if i := sameBits(got, want); i >= 0 {
				t.Fatalf("%v threads %d: AdaptiveAvgPool2dBackwardThreads[%d] = %v, want %v", s, threads, i, got[i], want[i])
			}
		}
	}
	for _, n := range []int{1, 3, 5} {
		c, hw, size := 9, 17, 5
		x, dy := randSlice(rng, n*c*hw), randSlice(rng, n*c*hw)
		want := make([]float32, len(x))
		LRNBackward(n, c, hw, size, 1e-2, 0.75, 2, x, dy, want)
		for threads := 0; threads <= 4; threads++ {
			got := randSlice(rng, len(x))
			LRNBackwardThreads(n, c, hw, size, 1e-2, 0.75, 2, x, dy, got, threads)
			if i := sameBits(got, want); i >= 0 {
				t.Fatalf("n %d threads %d: LRNBackwardThreads[%d] = %v, want %v", n, threads, i, got[i], want[i])
			}
		}
	}
}
