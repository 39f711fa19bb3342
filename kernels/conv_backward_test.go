package kernels

import (
	"fmt"
	"math/rand"
	"testing"
)

// TestConvBackwardPaths checks ConvBackward on AlexNet-shaped layers
// (more channels than TestConvBackward's, several images per goroutine)
// with the input gradient computed both as a Winograd convolution and as
// GEMMs over col2im, against ConvBackwardNaive.
func TestConvBackwardPaths(t *testing.T) {
	defer SetWinograd(!winogradOff.Load())
	cases := []struct {
		g            ConvGeom
		groups, cout int
	}{
		{ConvGeom{C: 24, H: 13, W: 13, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1}, 1, 40},
		{ConvGeom{C: 16, H: 11, W: 11, KH: 5, KW: 5, SH: 1, SW: 1, PH: 2, PW: 2}, 2, 36},
		{ConvGeom{C: 3, H: 35, W: 35, KH: 11, KW: 11, SH: 4, SW: 4, PH: 2, PW: 2}, 1, 20},
	}
	rng := rand.New(rand.NewSource(9))
	for _, tc := range cases {
		for _, wino := range []bool{true, false} {
			SetWinograd(wino)
			name := fmt.Sprintf("%+v/groups=%d/winograd=%v", tc.g, tc.groups, wino)
			const nb = 5
			g := tc.g
			g.C /= tc.groups
			k, p := g.C*g.KH*g.KW, g.OH()*g.OW()
			x := randSlice(rng, nb*tc.groups*g.C*g.H*g.W)
			w := randSlice(rng, tc.cout*k)
			dy := randSlice(rng, nb*tc.cout*p)
			dw, db, dx := make([]float32, tc.cout*k), make([]float32, tc.cout), randSlice(rng, len(x))
			wdw, wdb, wdx := make([]float32, tc.cout*k), make([]float32, tc.cout), make([]float32, len(x))
			ConvBackward(g, tc.groups, tc.cout, x, w, dy, dw, db, dx, nb, 2)
			ConvBackwardNaive(g, tc.groups, tc.cout, x, w, dy, wdw, wdb, wdx, nb)
			for _, c := range []struct {
				what      string
				got, want []float32
			}{{"dw", dw, wdw}, {"db", db, wdb}, {"dx", dx, wdx}} {
				if d := relMaxDiff(c.got, c.want); d > 1e-5 {
					t.Errorf("%s: %s relative max diff %g", name, c.what, d)
				}
			}
		}
	}
}
