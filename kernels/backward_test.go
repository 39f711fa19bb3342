package kernels

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/alexnet-go/alexnet/internal/cpuvariant"
)

// dot64 is Σ a[i]·b[i] in float64.
func dot64(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// relMaxDiff is max |a-b| over max |b| (max |a-b| where b is all zero).
func relMaxDiff(a, b []float32) float64 {
	var d, m float64
	for i := range b {
		v := math.Abs(float64(a[i] - b[i]))
		if v > d || v != v {
			d = v
		}
		m = max(m, math.Abs(float64(b[i])))
	}
	if m == 0 {
		return d
	}
	return d / m
}

// TestCol2im checks Col2im against Col2imNaive bit for bit, with guards
// after x, and that it is the adjoint of Im2col.
func TestCol2im(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	geoms := []ConvGeom{
		{C: 3, H: 11, W: 13, KH: 11, KW: 11, SH: 4, SW: 4, PH: 2, PW: 2},
		{C: 2, H: 7, W: 6, KH: 5, KW: 5, SH: 1, SW: 1, PH: 2, PW: 2},
		{C: 2, H: 9, W: 4, KH: 3, KW: 2, SH: 2, SW: 3, PH: 0, PW: 1},
		{C: 1, H: 1, W: 1, KH: 1, KW: 1, SH: 1, SW: 1},
		{C: 4, H: 6, W: 5, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1},
		{C: 1, H: 5, W: 8, KH: 2, KW: 3, SH: 3, SW: 2, PH: 2, PW: 3},
	}
	for _, g := range geoms {
		name := fmt.Sprintf("%+v", g)
		n := g.C * g.H * g.W
		col := randSlice(rng, g.C*g.KH*g.KW*g.OH()*g.OW())
		x := make([]float32, n+guardLen)
		for i := range x {
			x[i] = guard
		}
		want := make([]float32, n)
		Col2im(g, col, x)
		Col2imNaive(g, col, want)
		for i := range want {
			if math.Float32bits(x[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s: x[%d] = %v, Col2imNaive %v", name, i, x[i], want[i])
			}
		}
		for i := n; i < len(x); i++ {
			if x[i] != guard {
				t.Fatalf("%s: guard x[%d] overwritten", name, i)
			}
		}
		xr := randSlice(rng, n)
		c2 := make([]float32, len(col))
		Im2col(g, xr, c2)
		if l, r := dot64(c2, col), dot64(xr, x[:n]); math.Abs(l-r) > 1e-4*math.Max(1, math.Abs(l)) {
			t.Errorf("%s: <Im2col(x), col> = %g, <x, Col2im(col)> = %g", name, l, r)
		}
	}
}

// TestConvBackward checks ConvBackward against ConvBackwardNaive for every
// registered Sgemm implementation (see checkConvBackward).
func TestConvBackward(t *testing.T) {
	cpuvariant.ForEach(t, func(t *testing.T) {
		impl := ActiveSgemm()
		rng := rand.New(rand.NewSource(6))
		for _, tc := range convGeoms {
			for _, nb := range []int{1, 3} {
				name := fmt.Sprintf("%s/%+v/groups=%d/nb=%d", impl, tc.g, tc.groups, nb)
				checkConvBackward(t, name, rng, AutoConv, tc.g, tc.groups, tc.cout, nb)
			}
		}
	})
}

// TestMaxPool2dBackwardY checks that routing by the pooled output y (from
// the naive and the active MaxPool2d), with every variant's argmax, lands
// on the scan's positions, on planes with many ties, ±0, -inf and NaN,
// with and without padding, and that the argmax kernels write no idx past
// the row.
func TestMaxPool2dBackwardY(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	vals := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 2, float32(math.Inf(-1)), float32(math.NaN())}
	for _, g := range []ConvGeom{
		{C: 5, H: 13, W: 13, KH: 3, KW: 3, SH: 2, SW: 2},
		{C: 4, H: 15, W: 15, KH: 3, KW: 3, SH: 2, SW: 2},
		{C: 3, H: 7, W: 6, KH: 3, KW: 3, SH: 2, SW: 1, PH: 1, PW: 1},
		{C: 2, H: 8, W: 11, KH: 2, KW: 2, SH: 3, SW: 3},
		{C: 2, H: 5, W: 40, KH: 3, KW: 2, SH: 1, SW: 1},
		{C: 2, H: 7, W: 71, KH: 3, KW: 3, SH: 2, SW: 2},
	} {
		x := make([]float32, g.C*g.H*g.W)
		for i := range x {
			x[i] = vals[rng.Intn(len(vals))]
			if rng.Intn(3) == 0 {
				x[i] = float32(rng.Intn(4)) // more ties
			}
		}
		dy := randSlice(rng, g.C*g.OH()*g.OW())
		want := make([]float32, len(x))
		MaxPool2dBackward(g, x, dy, want)
		for name, pool := range map[string]func(ConvGeom, []float32, []float32){
			"naive": MaxPool2dNaive, "active": func(g ConvGeom, x, y []float32) { MaxPool2dThreads(g, x, y, 2) },
		} {
			y := make([]float32, len(dy))
			pool(g, x, y)
			for _, im := range poolVariants.Impls() {
				for threads := 1; threads <= 3; threads++ {
					got := make([]float32, len(x))
					maxPool2dBackward(im, g, x, y, dy, got, threads)
					if i := sameBits(got, want); i >= 0 {
						t.Fatalf("%+v y from %s, %s, %d threads: dx[%d] = %v, want %v", g, name, im.name, threads, i, got[i], want[i])
					}
				}
				if g.PH != 0 || g.PW != 0 {
					continue
				}
				idx := make([]int32, g.OW()+guardLen)
				for i := range idx {
					idx[i] = -7
				}
				im.argmax(x, g.W, y, g.OW(), g.KH, g.KW, g.SW, idx)
				for i, v := range idx[g.OW():] {
					if v != -7 {
						t.Fatalf("%+v %s: argmax wrote idx[%d] past the row", g, im.name, g.OW()+i)
					}
				}
			}
		}
	}
}

// TestMaxPool2dBackward checks the routing rule on ties, -inf windows and
// NaN, and the adjoint identity <MaxPool(x), dy> = <x, dx> on random
// input (where each window's maximum is unique).
func TestMaxPool2dBackward(t *testing.T) {
	g := ConvGeom{C: 1, H: 3, W: 4, KH: 2, KW: 2, SH: 1, SW: 2}
	ninf := float32(math.Inf(-1))
	nan := float32(math.NaN())
	x := []float32{
		1, 1, ninf, ninf,
		1, 0, ninf, ninf,
		2, nan, 3, nan,
	}
	dy := []float32{1, 10, 100, 1000} // (2, 2)
	dx := make([]float32, len(x))
	MaxPool2dBackward(g, x, dy, dx)
	// Window (0,0): first of the equal maxima 1 → (0,0). Window (0,1): all
	// -inf → its first position (0,2). Window (1,0): NaN at (2,1). Window
	// (1,1): the last NaN (2,3).
	want := []float32{
		1, 0, 10, 0,
		0, 0, 0, 0,
		0, 100, 0, 1000,
	}
	for i := range want {
		if dx[i] != want[i] {
			t.Fatalf("dx = %v, want %v", dx, want)
		}
	}
	rng := rand.New(rand.NewSource(7))
	for _, g := range []ConvGeom{
		{C: 6, H: 13, W: 13, KH: 3, KW: 3, SH: 2, SW: 2},
		{C: 2, H: 8, W: 11, KH: 2, KW: 2, SH: 3, SW: 3},
		{C: 3, H: 7, W: 6, KH: 3, KW: 3, SH: 2, SW: 1, PH: 1, PW: 1},
	} {
		x := randSlice(rng, g.C*g.H*g.W)
		y := make([]float32, g.C*g.OH()*g.OW())
		MaxPool2dNaive(g, x, y)
		dy := randSlice(rng, len(y))
		dx := make([]float32, len(x))
		MaxPool2dBackward(g, x, dy, dx)
		if l, r := dot64(y, dy), dot64(x, dx); math.Abs(l-r) > 1e-5*math.Max(1, math.Abs(l)) {
			t.Errorf("%+v: <y, dy> = %g, <x, dx> = %g", g, l, r)
		}
	}
}

// TestAdaptiveAvgPool2dBackward checks the adjoint identity
// <AdaptiveAvgPool2d(x), dy> = <x, dx> over shrinking, growing and
// overlapping windows.
func TestAdaptiveAvgPool2dBackward(t *testing.T) {
	rng := rand.New(rand.NewSource(8))
	for _, s := range [][4]int{{13, 13, 6, 6}, {5, 5, 6, 6}, {7, 9, 3, 4}, {6, 6, 6, 6}, {1, 1, 6, 6}, {2, 3, 6, 6}} {
		h, w, oh, ow := s[0], s[1], s[2], s[3]
		planes := 3
		x := randSlice(rng, planes*h*w)
		y := make([]float32, planes*oh*ow)
		AdaptiveAvgPool2d(planes, h, w, oh, ow, x, y)
		dy := randSlice(rng, len(y))
		dx := randSlice(rng, len(x)) // overwritten
		AdaptiveAvgPool2dBackward(planes, h, w, oh, ow, dy, dx)
		if l, r := dot64(y, dy), dot64(x, dx); math.Abs(l-r) > 1e-5*math.Max(1, math.Abs(l)) {
			t.Errorf("%v: <y, dy> = %g, <x, dx> = %g", s, l, r)
		}
	}
}

// lrn64 is LRN in float64, for finite differences.
func lrn64(n, c, hw, size int, alpha, beta, k float64, x []float64) []float64 {
	y := make([]float64, len(x))
	lrnRef(n, c, hw, size, alpha, beta, k, x, y)
	return y
}

// TestLRNBackward checks LRNBackward against central differences of LRN
// in float64, for even and odd windows and alphas large enough that the
// cross-channel term matters.
func TestLRNBackward(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	for _, c := range []struct {
		size           int
		alpha, beta, k float32
	}{{5, 1e-4, 0.75, 2}, {4, 1e-2, 0.6, 1.5}, {5, 0.5, 0.75, 1}, {2, 0.1, 0.5, 0.8}, {1, 0.3, 0.75, 1}} {
		n, ch, hw := 2, 7, 5
		x := randSlice(rng, n*ch*hw)
		for i := range x {
			x[i] *= 3
		}
		dy := randSlice(rng, len(x))
		dx := make([]float32, len(x))
		LRNBackward(n, ch, hw, c.size, c.alpha, c.beta, c.k, x, dy, dx)
		x64 := make([]float64, len(x))
		for i, v := range x {
			x64[i] = float64(v)
		}
		want := make([]float32, len(x))
		const h = 1e-6
		for i := range x64 {
			v := x64[i]
			x64[i] = v + h
			yp := lrn64(n, ch, hw, c.size, float64(c.alpha), float64(c.beta), float64(c.k), x64)
			x64[i] = v - h
			ym := lrn64(n, ch, hw, c.size, float64(c.alpha), float64(c.beta), float64(c.k), x64)
			x64[i] = v
			var s float64
			for j := range yp {
				s += float64(dy[j]) * (yp[j] - ym[j]) / (2 * h)
			}
			want[i] = float32(s)
		}
		if d := relMaxDiff(dx, want); d > 1e-5 {
			t.Errorf("%+v: relative max diff from finite differences %g", c, d)
		}
	}
}

func TestActivationBackward(t *testing.T) {
	y := []float32{-1, 0, 2, float32(math.NaN())}
	dy := []float32{5, 6, 7, 8}
	dx := make([]float32, 4)
	ReLUBackward(y, dy, dx)
	if dx[0] != 0 || dx[1] != 0 || dx[2] != 7 || dx[3] != 0 {
		t.Errorf("ReLUBackward = %v, want [0 0 7 0]", dx)
	}
	// Softmax: compare with central differences in float64.
	rng := rand.New(rand.NewSource(10))
	rows, cols := 3, 6
	x := randSlice(rng, rows*cols)
	for i := range x {
		x[i] *= 4
	}
	sm := make([]float32, len(x))
	Softmax(rows, cols, x, sm)
	d := randSlice(rng, len(x))
	got := make([]float32, len(x))
	SoftmaxBackward(rows, cols, sm, d, got)
	want := make([]float32, len(x))
	soft64 := func(xr []float64) []float64 {
		m := math.Inf(-1)
		for _, v := range xr {
			m = max(m, v)
		}
		var s float64
		out := make([]float64, len(xr))
		for j, v := range xr {
			out[j] = math.Exp(v - m)
			s += out[j]
		}
		for j := range out {
			out[j] /= s
		}
		return out
	}
	for r := 0; r < rows; r++ {
		xr := make([]float64, cols)
		for j := range xr {
			xr[j] = float64(x[r*cols+j])
		}
		for j := range xr {
			const h = 1e-6
			v := xr[j]
			xr[j] = v + h
			p := soft64(xr)
			xr[j] = v - h
			m := soft64(xr)
			xr[j] = v
			var s float64
			for q := range p {
				s += float64(d[r*cols+q]) * (p[q] - m[q]) / (2 * h)
			}
			want[r*cols+j] = float32(s)
		}
	}
	if e := relMaxDiff(got, want); e > 1e-5 {
		t.Errorf("SoftmaxBackward: relative max diff from finite differences %g", e)
	}
}

func BenchmarkConvBackward(b *testing.B) {
	benchConvBackward(b, func(g ConvGeom, cout int, x, w, dy, dw, db, dx []float32) {
		ConvBackward(g, AutoConv, 1, cout, x, w, dy, dw, db, dx, 1, 1)
	})
}

func BenchmarkConvBackwardNaive(b *testing.B) {
	benchConvBackward(b, func(g ConvGeom, cout int, x, w, dy, dw, db, dx []float32) {
		ConvBackwardNaive(g, 1, cout, x, w, dy, dw, db, dx, 1)
	})
}

// benchConvBackward times backward, one image through AlexNet's conv2 on
// 27×27 inputs.
func benchConvBackward(b *testing.B, backward func(g ConvGeom, cout int, x, w, dy, dw, db, dx []float32)) {
	g := ConvGeom{C: 64, H: 27, W: 27, KH: 5, KW: 5, SH: 1, SW: 1, PH: 2, PW: 2}
	rng := rand.New(rand.NewSource(1))
	cout, k, p := 192, g.C*g.KH*g.KW, g.OH()*g.OW()
	x, w, dy := randSlice(rng, g.C*g.H*g.W), randSlice(rng, cout*k), randSlice(rng, cout*p)
	dw, db, dx := make([]float32, cout*k), make([]float32, cout), make([]float32, len(x))
	for b.Loop() {
		backward(g, cout, x, w, dy, dw, db, dx)
	}
}
