package kernels

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
)

// TestWinoDyKernels checks the vector W = A dY Aᵀ transforms against
// winoDyGo bit for bit, on every length up to 40 (full vectors and every
// tail), with values including ±0 and large magnitudes, and that nothing
// at or past n in any ξ row is written.
func TestWinoDyKernels(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	for _, sp := range []*winoSpec{wino3, wino5} {
		kernel := winoDyKernels.Get()[sp.alpha]
		if kernel == nil {
			t.Logf("α=%d: no vector kernel on this build; winoDyGo alone is used", sp.alpha)
			continue
		}
		nx := sp.alpha * sp.alpha
		for n := 1; n <= 40; n++ {
			stride := n + 7
			var ys [4][]float32
			for i := range ys {
				ys[i] = randSlice(rng, n)
				for j := range ys[i] {
					switch rng.Intn(8) {
					case 0:
						ys[i][j] = float32(math.Copysign(0, float64(rng.Intn(2)*2-1)))
					case 1:
						ys[i][j] *= 1e30
					}
				}
			}
			const guard = -12345
			got, want := make([]float32, nx*stride), make([]float32, nx*stride)
			for i := range got {
				got[i], want[i] = guard, guard
			}
			kernel(got, stride, ys[0], ys[1], ys[2], ys[3], n)
			winoDyGo(sp, want, stride, ys[0], ys[1], ys[2], ys[3], n)
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("α=%d n=%d: w[ξ=%d][%d] = %g (%#x), portable %g (%#x)", sp.alpha, n, i/stride, i%stride,
						got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
				}
			}
		}
	}
}

// convFilterGrad64 is dw of ConvBackward (without accumulation) in
// float64 by the definition's loops.
func convFilterGrad64(g ConvGeom, groups, outC int, x, dy []float32, nb int) []float64 {
	m := outC / groups
	oh, ow := g.OH(), g.OW()
	dw := make([]float64, outC*g.C*g.KH*g.KW)
	for b := 0; b < nb; b++ {
		for o := 0; o < outC; o++ {
			grp := o / m
			for c := 0; c < g.C; c++ {
				plane := x[((b*groups+grp)*g.C+c)*g.H*g.W:][:g.H*g.W]
				for i := 0; i < g.KH; i++ {
					for j := 0; j < g.KW; j++ {
						var s float64
						for oy := 0; oy < oh; oy++ {
							iy := oy*g.SH - g.PH + i
							if iy < 0 || iy >= g.H {
								continue
							}
							for ox := 0; ox < ow; ox++ {
								ix := ox*g.SW - g.PW + j
								if ix >= 0 && ix < g.W {
									s += float64(dy[((b*outC+o)*oh+oy)*ow+ox]) * float64(plane[iy*g.W+ix])
								}
							}
						}
						dw[((o*g.C+c)*g.KH+i)*g.KW+j] += s
					}
				}
			}
		}
	}
	return dw
}

// TestConvBackwardFilterWinograd checks the Winograd weight gradient
// against float64 sums on odd and even output sizes, padding 0 up to
// k-1, groups, one and several images per step and per goroutine. For
// 3×3 kernels its error must stay within a few times the im2col GEMM's
// (which sums in float32 too); F(2×2, 5×5)'s transforms, with
// coefficients up to 5 in Bᵀ and 1/24 in G, cost about a digit (1e-5 of
// dw's scale against im2col's 1e-6), as they do forward.
func TestConvBackwardFilterWinograd(t *testing.T) {
	cases := []struct {
		g                    ConvGeom
		groups, cout, nb, th int
	}{
		{ConvGeom{C: 20, H: 13, W: 13, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1}, 1, 36, 7, 2},
		{ConvGeom{C: 8, H: 8, W: 8, KH: 3, KW: 3, SH: 1, SW: 1}, 1, 17, 5, 3},
		{ConvGeom{C: 6, H: 7, W: 9, KH: 3, KW: 3, SH: 1, SW: 1, PH: 2, PW: 2}, 2, 10, 3, 1},
		{ConvGeom{C: 12, H: 27, W: 27, KH: 5, KW: 5, SH: 1, SW: 1, PH: 2, PW: 2}, 2, 24, 3, 2},
		{ConvGeom{C: 5, H: 6, W: 6, KH: 5, KW: 5, SH: 1, SW: 1, PH: 1, PW: 1}, 1, 33, 9, 2},
	}
	rng := rand.New(rand.NewSource(12))
	for _, tc := range cases {
		g := tc.g
		g.C /= tc.groups
		name := fmt.Sprintf("%+v/groups=%d/nb=%d/threads=%d", tc.g, tc.groups, tc.nb, tc.th)
		x := randSlice(rng, tc.nb*tc.groups*g.C*g.H*g.W)
		dy := randSlice(rng, tc.nb*tc.cout*g.OH()*g.OW())
		want := convFilterGrad64(g, tc.groups, tc.cout, x, dy, tc.nb)
		errs := map[bool]float64{}
		for _, wino := range []bool{true, false} {
			alg := DirectConv
			if wino {
				alg = WinogradConv
			}
			dw := make([]float32, len(want))
			ConvBackward(g, alg, tc.groups, tc.cout, x, nil, dy, dw, nil, nil, tc.nb, tc.th)
			errs[wino] = relErr(dw, want)
		}
		t.Logf("%s: max error / scale: Winograd %.2g, im2col %.2g", name, errs[true], errs[false])
		bound := 3*errs[false] + 1e-7 // F(2×2, 3×3): as close as im2col
		if g.KH == 5 {
			bound = 2e-5 // F(2×2, 5×5): about one digit less (1e-5)
		}
		if errs[true] > bound {
			t.Errorf("%s: Winograd dw error %.3g of scale (im2col's %.3g)", name, errs[true], errs[false])
		}
	}
}
