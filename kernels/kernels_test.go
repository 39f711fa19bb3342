package kernels

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
)

// convCase is a convolution to test: the whole input's geometry (g.C
// planes over all groups), the group count and the output channels.
type convCase struct {
	g            ConvGeom
	groups, cout int
}

// convGeoms are small convolutions of every kind the kernels handle.
var convGeoms = []convCase{
	{ConvGeom{C: 3, H: 11, W: 13, KH: 11, KW: 11, SH: 4, SW: 4, PH: 2, PW: 2}, 1, 5},
	{ConvGeom{C: 4, H: 7, W: 6, KH: 5, KW: 5, SH: 1, SW: 1, PH: 2, PW: 2}, 2, 6},
	{ConvGeom{C: 6, H: 5, W: 5, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1}, 3, 3},
	{ConvGeom{C: 1, H: 1, W: 1, KH: 1, KW: 1, SH: 1, SW: 1}, 1, 1},
	{ConvGeom{C: 2, H: 9, W: 4, KH: 3, KW: 2, SH: 2, SW: 3, PH: 0, PW: 1}, 1, 2},
	{ConvGeom{C: 3, H: 12, W: 11, KH: 5, KW: 5, SH: 2, SW: 2, PH: 2, PW: 2}, 1, 4},
	{ConvGeom{C: 2, H: 6, W: 7, KH: 2, KW: 6, SH: 1, SW: 5, PH: 1, PW: 4}, 1, 3},
}

// TestIm2colConv checks Im2col against Im2colNaive (exactly, with guards
// after col) and Im2col followed by Sgemm per group against Conv2dNaive.
func TestIm2colConv(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for _, tc := range convGeoms {
		g := tc.g
		name := fmt.Sprintf("%+v/groups=%d", g, tc.groups)
		x := randSlice(rng, g.C*g.H*g.W)
		n := g.OH() * g.OW()
		rows := g.C * g.KH * g.KW
		col := make([]float32, rows*n+guardLen)
		want := make([]float32, rows*n)
		for i := range col {
			col[i] = guard
		}
		Im2col(g, x, col)
		Im2colNaive(g, x, want)
		for i := range col {
			if i < len(want) && col[i] != want[i] || i >= len(want) && col[i] != guard {
				t.Fatalf("%s: col[%d] = %v", name, i, col[i])
			}
		}
		cin, cg := g.C/tc.groups, tc.cout/tc.groups
		w := randSlice(rng, tc.cout*cin*g.KH*g.KW)
		bias := randSlice(rng, tc.cout)
		y := make([]float32, tc.cout*n)
		gc := g
		gc.C = cin
		gcol := make([]float32, cin*g.KH*g.KW*n)
		for grp := 0; grp < tc.groups; grp++ {
			Im2col(gc, x[grp*cin*g.H*g.W:], gcol)
			k := cin * g.KH * g.KW
			err := Sgemm(&Gemm{M: cg, N: n, K: k, A: w[grp*cg*k:], LDA: k, B: gcol, LDB: n,
				C: y[grp*cg*n:], LDC: n, RowBias: bias[grp*cg : (grp+1)*cg]})
			if err != nil {
				t.Fatal(err)
			}
		}
		ref := make([]float32, tc.cout*n)
		Conv2dNaive(g, tc.groups, tc.cout, x, w, bias, ref)
		if d := maxAbsDiff(y, ref); d > 1e-5 {
			t.Errorf("%s: im2col+Sgemm vs Conv2dNaive max abs diff %g", name, d)
		}
	}
}

func maxAbsDiff(a, b []float32) float64 {
	var d float64
	for i := range a {
		d = max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

func TestLRNMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, size := range []int{1, 2, 4, 5, 7, 12} {
		for _, c := range []int{1, 3, 8} {
			x := randSlice(rng, 2*c*6)
			for i := range x {
				x[i] *= 10
			}
			y, want := make([]float32, len(x)), make([]float32, len(x))
			LRN(2, c, 6, size, 1e-2, 0.75, 1, x, y)
			LRNNaive(2, c, 6, size, 1e-2, 0.75, 1, x, want)
			if d := maxAbsDiff(y, want); d > 1e-5 {
				t.Errorf("size %d C %d: max abs diff %g", size, c, d)
			}
		}
	}
}

func TestPoolsAndActivations(t *testing.T) {
	x := []float32{1, 5, 2, 0, -1, 7, 3, 4, 9, 8, 6, -2}
	y := make([]float32, 2)
	MaxPool2d(ConvGeom{C: 1, H: 3, W: 4, KH: 3, KW: 2, SH: 1, SW: 2}, x, y)
	if y[0] != 9 || y[1] != 6 {
		t.Errorf("MaxPool2d = %v, want [9 6]", y)
	}
	a := make([]float32, 4)
	// 3 -> 2 windows: [0,2) and [1,3) in both directions.
	AdaptiveAvgPool2d(1, 3, 3, 2, 2, []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}, a)
	if a[0] != 3 || a[1] != 4 || a[2] != 6 || a[3] != 7 {
		t.Errorf("AdaptiveAvgPool2d = %v, want [3 4 6 7]", a)
	}
	r := []float32{-1, 0, 2}
	ReLU(r, r)
	if r[0] != 0 || r[2] != 2 {
		t.Errorf("ReLU = %v", r)
	}
	s := []float32{1000, 1000, -1e30, 0}
	Softmax(2, 2, s, s)
	if s[0] != 0.5 || s[1] != 0.5 || s[2] != 0 || s[3] != 1 {
		t.Errorf("Softmax = %v", s)
	}
}

func benchConv(b *testing.B, naive bool) {
	// conv2 of torchvision AlexNet on one image, as im2col+Sgemm vs direct.
	g := ConvGeom{C: 64, H: 27, W: 27, KH: 5, KW: 5, SH: 1, SW: 1, PH: 2, PW: 2}
	rng := rand.New(rand.NewSource(1))
	x, w, bias := randSlice(rng, 64*27*27), randSlice(rng, 192*64*25), randSlice(rng, 192)
	n := g.OH() * g.OW()
	col, y := make([]float32, 64*25*n), make([]float32, 192*n)
	for i := 0; i < b.N; i++ {
		if naive {
			Conv2dNaive(g, 1, 192, x, w, bias, y)
			continue
		}
		Im2col(g, x, col)
		_ = Sgemm(&Gemm{M: 192, N: n, K: 64 * 25, A: w, LDA: 64 * 25, B: col, LDB: n, C: y, LDC: n, RowBias: bias, Threads: 1})
	}
	b.ReportMetric(2*float64(192*n*64*25)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkConvIm2colSgemm(b *testing.B) { benchConv(b, false) }
func BenchmarkConv2dNaive(b *testing.B)     { benchConv(b, true) }

func benchIm2col(b *testing.B, fn func(ConvGeom, []float32, []float32)) {
	g := ConvGeom{C: 3, H: 224, W: 224, KH: 11, KW: 11, SH: 4, SW: 4, PH: 2, PW: 2}
	x, col := make([]float32, 3*224*224), make([]float32, 3*121*g.OH()*g.OW())
	for i := 0; i < b.N; i++ {
		fn(g, x, col)
	}
}

func BenchmarkIm2col(b *testing.B)      { benchIm2col(b, Im2col) }
func BenchmarkIm2colNaive(b *testing.B) { benchIm2col(b, Im2colNaive) }

func benchLRN(b *testing.B, fn func(int, int, int, int, float32, float32, float32, []float32, []float32)) {
	x, y := make([]float32, 96*55*55), make([]float32, 96*55*55)
	for i := 0; i < b.N; i++ {
		fn(1, 96, 55*55, 5, 1e-4, 0.75, 2, x, y)
	}
}

func BenchmarkLRN(b *testing.B)      { benchLRN(b, LRN) }
func BenchmarkLRNNaive(b *testing.B) { benchLRN(b, LRNNaive) }
