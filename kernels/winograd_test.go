package kernels

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/alexnet-go/alexnet/internal/cpuvariant"
)

// TestConvWinograd checks ConvWinograd against Conv2dNaive for every
// registered implementation: odd and even output sizes (partial tiles),
// padding 0-2, groups, several images, thread counts, ReLU, guards after y.
func TestConvWinograd(t *testing.T) {
	geoms := []convCase{
		{ConvGeom{C: 6, H: 13, W: 13, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1}, 1, 5},
		{ConvGeom{C: 40, H: 13, W: 13, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1}, 2, 30},
		{ConvGeom{C: 3, H: 6, W: 9, KH: 3, KW: 3, SH: 1, SW: 1, PH: 0, PW: 2}, 1, 17},
		{ConvGeom{C: 2, H: 1, W: 1, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1}, 1, 3},
		{ConvGeom{C: 300, H: 7, W: 4, KH: 3, KW: 3, SH: 1, SW: 1, PH: 2, PW: 1}, 1, 33},
		{ConvGeom{C: 4, H: 5, W: 40, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1}, 1, 2}, // rows of 20 tiles
		{ConvGeom{C: 24, H: 27, W: 27, KH: 5, KW: 5, SH: 1, SW: 1, PH: 2, PW: 2}, 1, 16},
		{ConvGeom{C: 8, H: 11, W: 9, KH: 5, KW: 5, SH: 1, SW: 1, PH: 2, PW: 2}, 2, 6},
		{ConvGeom{C: 3, H: 6, W: 8, KH: 5, KW: 5, SH: 1, SW: 1, PH: 0, PW: 4}, 1, 5},
		{ConvGeom{C: 2, H: 1, W: 2, KH: 5, KW: 5, SH: 1, SW: 1, PH: 2, PW: 3}, 1, 3},
		{ConvGeom{C: 70, H: 4, W: 37, KH: 5, KW: 5, SH: 1, SW: 1, PH: 1, PW: 2}, 1, 33}, // rows of 19 tiles
	}
	cpuvariant.ForEach(t, func(t *testing.T) {
		impl := ActiveSgemm()
		rng := rand.New(rand.NewSource(5))
		for _, tc := range geoms {
			for _, run := range []struct{ batch, threads int }{{1, 1}, {1, 2}, {3, 2}, {9, 3}} {
				g := tc.g
				if winoSpecFor(g) == nil {
					t.Fatalf("%+v: no Winograd algorithm", g)
				}
				relu := run.threads != 2
				name := fmt.Sprintf("%s/%+v/groups=%d/batch=%d/threads=%d", impl, g, tc.groups, run.batch, run.threads)
				cin := g.C / tc.groups
				w := randSlice(rng, tc.cout*cin*g.KH*g.KW)
				bias := randSlice(rng, tc.cout)
				x := randSlice(rng, run.batch*g.C*g.H*g.W)
				n := g.OH() * g.OW()
				y := make([]float32, run.batch*tc.cout*n+guardLen)
				for i := range y {
					y[i] = guard
				}
				gc := g
				gc.C = cin
				ww := PackWinogradWeights(w, tc.cout, cin, g.KH, tc.groups)
				if !ww.Current() {
					t.Fatalf("%s: not packed for the active implementation", name)
				}
				ConvWinograd(gc, ww, bias, x, y, run.batch, relu, run.threads)
				ref := make([]float32, tc.cout*n)
				for b := 0; b < run.batch; b++ {
					Conv2dNaive(g, tc.groups, tc.cout, x[b*g.C*g.H*g.W:], w, bias, ref)
					if relu {
						ReLU(ref, ref)
					}
					var scale float64
					for _, v := range ref {
						scale = max(scale, math.Abs(float64(v)))
					}
					if d := maxAbsDiff(y[b*tc.cout*n:(b+1)*tc.cout*n], ref); d > 1e-5*(scale+1) {
						t.Fatalf("%s: image %d: max abs diff %g (scale %g) vs Conv2dNaive", name, b, d, scale)
					}
				}
				for i := run.batch * tc.cout * n; i < len(y); i++ {
					if y[i] != guard {
						t.Fatalf("%s: guard y[%d] overwritten with %v", name, i, y[i])
					}
				}
			}
		}
	})
}

// BenchmarkConvWinograd times AlexNet's conv2-5 with Winograd beside
// BenchmarkConv's direct GEMM, per image on one thread.
func BenchmarkConvWinograd(b *testing.B) {
	for _, c := range alexnetConvs[1:] {
		b.Run(c.name, func(b *testing.B) {
			const batch = 8
			w := make([]float32, c.cout*c.g.C*c.g.KH*c.g.KW)
			x := make([]float32, batch*c.g.C*c.g.H*c.g.W)
			y := make([]float32, batch*c.cout*c.g.OH()*c.g.OW())
			bias := make([]float32, c.cout)
			ww := PackWinogradWeights(w, c.cout, c.g.C, c.g.KH, 1)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ConvWinograd(c.g, ww, bias, x, y, batch, true, 1)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch)/1e6, "ms/image")
		})
	}
}

func TestConvAlgorithm(t *testing.T) {
	g := ConvGeom{C: 1, H: 5, W: 5, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1}
	defer SetDefaultConv(AutoConv)
	if !AutoConv.Winograd(g) || !WinogradConv.Winograd(g) {
		t.Fatal("3×3 stride 1: Winograd false by default")
	}
	if DirectConv.Winograd(g) {
		t.Fatal("DirectConv.Winograd true")
	}
	SetDefaultConv(DirectConv)
	if AutoConv.Winograd(g) {
		t.Fatal("AutoConv.Winograd true after SetDefaultConv(DirectConv)")
	}
	if !WinogradConv.Winograd(g) {
		t.Fatal("WinogradConv.Winograd false after SetDefaultConv(DirectConv)")
	}
	for _, s := range []string{"", "auto", "direct", "winograd"} {
		a, err := ParseConvAlgorithm(s)
		if err != nil || (s != "" && a.String() != s) {
			t.Errorf("ParseConvAlgorithm(%q) = %v, %v", s, a, err)
		}
	}
	if _, err := ParseConvAlgorithm("fft"); err == nil {
		t.Error("ParseConvAlgorithm(fft) succeeded")
	}
	for _, g := range []ConvGeom{{KH: 11, KW: 11, SH: 4, SW: 4}, {KH: 3, KW: 3, SH: 2, SW: 2}, {KH: 3, KW: 3, SH: 1, SW: 1, PH: 3, PW: 3}} {
		if winoSpecFor(g) != nil {
			t.Errorf("%+v: Winograd algorithm for an unsupported geometry", g)
		}
	}
}
