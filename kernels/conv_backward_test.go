package kernels

import (
	"fmt"
	"math/rand"
	"testing"
)

// checkConvBackward runs ConvBackward on random operands, with dw and db
// accumulating onto random prior values and dx's prior content
// overwritten, on 2 goroutines and again for dw alone on 1, and compares
// dw, db and dx with ConvBackwardNaive's. g is the whole input's geometry
// (g.C planes over all groups).
func checkConvBackward(t *testing.T, name string, rng *rand.Rand, alg ConvAlgorithm, g ConvGeom, groups, cout, nb int) {
	t.Helper()
	g.C /= groups
	k, p := g.C*g.KH*g.KW, g.OH()*g.OW()
	x := randSlice(rng, nb*groups*g.C*g.H*g.W)
	w := randSlice(rng, cout*k)
	dy := randSlice(rng, nb*cout*p)
	dw0, db0 := randSlice(rng, cout*k), randSlice(rng, cout)
	dw, db := append([]float32(nil), dw0...), append([]float32(nil), db0...)
	dx := randSlice(rng, len(x)) // overwritten
	wdw, wdb := append([]float32(nil), dw0...), append([]float32(nil), db0...)
	wdx := make([]float32, len(x))
	ConvBackward(g, alg, groups, cout, x, w, dy, dw, db, dx, nb, 2)
	ConvBackwardNaive(g, groups, cout, x, w, dy, wdw, wdb, wdx, nb)
	dw2 := append([]float32(nil), dw0...)
	ConvBackward(g, alg, groups, cout, x, w, dy, dw2, nil, nil, nb, 1)
	for _, c := range []struct {
		what      string
		got, want []float32
	}{{"dw", dw, wdw}, {"db", db, wdb}, {"dx", dx, wdx}, {"dw alone, 1 goroutine", dw2, wdw}} {
		if d := relMaxDiff(c.got, c.want); d > 1e-5 {
			t.Errorf("%s: %s relative max diff %g", name, c.what, d)
		}
	}
}

// TestConvBackwardPaths checks ConvBackward on AlexNet-shaped layers
// (more channels than TestConvBackward's, several images per goroutine)
// with the input gradient computed both as a Winograd convolution and as
// GEMMs over col2im.
func TestConvBackwardPaths(t *testing.T) {
	cases := []convCase{
		{ConvGeom{C: 24, H: 13, W: 13, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1}, 1, 40},
		{ConvGeom{C: 16, H: 11, W: 11, KH: 5, KW: 5, SH: 1, SW: 1, PH: 2, PW: 2}, 2, 36},
		{ConvGeom{C: 3, H: 35, W: 35, KH: 11, KW: 11, SH: 4, SW: 4, PH: 2, PW: 2}, 1, 20},
	}
	rng := rand.New(rand.NewSource(9))
	for _, tc := range cases {
		for _, alg := range []ConvAlgorithm{WinogradConv, DirectConv} {
			name := fmt.Sprintf("%+v/groups=%d/winograd=%v", tc.g, tc.groups, alg == WinogradConv)
			checkConvBackward(t, name, rng, alg, tc.g, tc.groups, tc.cout, 5)
		}
	}
}
