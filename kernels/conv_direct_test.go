package kernels

import (
	"fmt"
	"math/rand"
	"testing"
)

// TestConvDirect checks Conv on geometries that take the convDirect path
// where the CPU has it (AlexNet's conv1 and the original's, grouped and
// with a partial strip of filters) against Conv2dNaive, for one and two
// threads and several images, with and without ReLU.
func TestConvDirect(t *testing.T) {
	cases := []convCase{
		{ConvGeom{C: 3, H: 224, W: 224, KH: 11, KW: 11, SH: 4, SW: 4, PH: 2, PW: 2}, 1, 20},
		{ConvGeom{C: 3, H: 227, W: 227, KH: 11, KW: 11, SH: 4, SW: 4}, 1, 30},
		{ConvGeom{C: 4, H: 60, W: 62, KH: 5, KW: 5, SH: 2, SW: 2, PH: 1, PW: 2}, 2, 34},
	}
	rng := rand.New(rand.NewSource(11))
	for _, tc := range cases {
		if !useConvDirect(activeArch(), tc.g) {
			t.Logf("%+v: not on the direct path with %s", tc.g, activeArch().name)
		}
		g := tc.g
		g.C /= tc.groups
		k := g.C * g.KH * g.KW
		const nb = 2
		x := randSlice(rng, nb*tc.groups*g.C*g.H*g.W)
		w := randSlice(rng, tc.cout*k)
		bias := randSlice(rng, tc.cout)
		cw := PackConvWeights(w, tc.cout, k, tc.groups)
		out := tc.cout * g.OH() * g.OW()
		want := make([]float32, nb*out)
		for b := range nb {
			Conv2dNaive(tc.g, tc.groups, tc.cout, x[b*tc.groups*g.C*g.H*g.W:], w, bias, want[b*out:])
		}
		for _, threads := range []int{1, 2} {
			for _, relu := range []bool{false, true} {
				name := fmt.Sprintf("%+v/groups=%d/threads=%d/relu=%v", tc.g, tc.groups, threads, relu)
				got := randSlice(rng, nb*out)
				Conv(g, cw, bias, x, got, nb, relu, threads)
				exp := want
				if relu {
					exp = make([]float32, len(want))
					for i, v := range want {
						exp[i] = max(v, 0)
					}
				}
				if d := maxAbsDiff(got, exp); d > 1e-4 {
					t.Errorf("%s: max abs diff %g", name, d)
				}
			}
		}
	}
}

// TestSplitPhases checks the even/odd split of a padded row (the vector
// kernel where the CPU has it) and the four-phase split of conv1's stride
// 4 against the definition, row[ph*qn + q] = padded[phases*q + ph], for
// every padding up to 5, row lengths around the vector width and stale
// content in the destination.
func TestSplitPhases(t *testing.T) {
	rng := rand.New(rand.NewSource(13))
	for _, phases := range []int{2, 4} {
		for _, w := range []int{0, 1, 2, 5, 13, 27, 31, 32, 33, 64, 97, 127, 224, 227} {
			for pw := 0; pw <= 5; pw++ {
				qn := (w + 2*pw + phases - 1) / phases
				src := randSlice(rng, w)
				row := randSlice(rng, phases*qn)
				if phases == 2 {
					splitPhases2(row, qn, src, pw)
				} else {
					splitPhases4(row, qn, src, pw, make([]float32, 8*qn))
				}
				for i := 0; i < phases*qn; i++ { // padded column i
					var want float32
					if i >= pw && i-pw < w {
						want = src[i-pw]
					}
					if got := row[(i%phases)*qn+i/phases]; got != want {
						t.Fatalf("phases=%d w=%d pw=%d: padded column %d = %g, want %g", phases, w, pw, i, got, want)
					}
				}
			}
		}
	}
}
