package kernels

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/alexnet-go/alexnet/internal/cpuvariant"
)

// TestConvDirect checks Conv on geometries that take the convDirect path
// where the CPU has it (AlexNet's conv1 and the original's, grouped and
// with a partial strip of filters) against Conv2dNaive, for every variant
// (the others take the GEMM path), one and two threads and several
// images, with and without ReLU.
func TestConvDirect(t *testing.T) {
	const nb = 2
	type operands struct {
		tc                convCase
		x, w, bias, naive []float32
	}
	rng := rand.New(rand.NewSource(11))
	var runs []operands
	for _, tc := range []convCase{
		{ConvGeom{C: 3, H: 224, W: 224, KH: 11, KW: 11, SH: 4, SW: 4, PH: 2, PW: 2}, 1, 20},
		{ConvGeom{C: 3, H: 227, W: 227, KH: 11, KW: 11, SH: 4, SW: 4}, 1, 30},
		{ConvGeom{C: 4, H: 60, W: 62, KH: 5, KW: 5, SH: 2, SW: 2, PH: 1, PW: 2}, 2, 34},
	} {
		g := tc.g
		op := operands{tc: tc, x: randSlice(rng, nb*g.C*g.H*g.W), w: randSlice(rng, tc.cout*g.C/tc.groups*g.KH*g.KW),
			bias: randSlice(rng, tc.cout), naive: make([]float32, nb*tc.cout*g.OH()*g.OW())}
		for b := range nb {
			Conv2dNaive(g, tc.groups, tc.cout, op.x[b*g.C*g.H*g.W:], op.w, op.bias, op.naive[len(op.naive)/nb*b:])
		}
		runs = append(runs, op)
	}
	cpuvariant.ForEach(t, func(t *testing.T) {
		for _, op := range runs {
			tc := op.tc
			if !useConvDirect(activeArch(), tc.g) {
				t.Logf("%+v: not on the direct path with %s", tc.g, activeArch().name)
			}
			g := tc.g
			g.C /= tc.groups
			cw := PackConvWeights(op.w, tc.cout, g.C*g.KH*g.KW, tc.groups)
			for _, threads := range []int{1, 2} {
				for _, relu := range []bool{false, true} {
					name := fmt.Sprintf("%+v/groups=%d/threads=%d/relu=%v", tc.g, tc.groups, threads, relu)
					got := randSlice(rng, len(op.naive))
					Conv(g, cw, op.bias, op.x, got, nb, relu, threads)
					exp := op.naive
					if relu {
						exp = make([]float32, len(op.naive))
						for i, v := range op.naive {
							exp[i] = max(v, 0)
						}
					}
					if d := maxAbsDiff(got, exp); d > 1e-4 {
						t.Errorf("%s: max abs diff %g", name, d)
					}
				}
			}
		}
	})
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
