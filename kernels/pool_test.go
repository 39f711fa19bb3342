package kernels

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/alexnet-go/alexnet/internal/cpuvariant"
)

// guardedSlice returns n floats that end where readable memory ends where
// the platform allows it (pool_linux_test.go), so a kernel reading past
// its operands faults instead of passing.
var guardedSlice = func(t testing.TB, n int) []float32 { return make([]float32, n) }

// poolValues fills x with values from a small set, so windows hold ties,
// with +0, -0, ±Inf and NaNs of distinct payloads among them.
func poolValues(rng *rand.Rand, x []float32) {
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
		math.Float32frombits(0x7fc00001), math.Float32frombits(0xffc00002), math.Float32frombits(0x7f800003)}
	for i := range x {
		switch r := rng.Intn(100); {
		case r < 8:
			x[i] = special[rng.Intn(len(special))]
		case r < 12:
			x[i] = special[rng.Intn(2)] // many zeros of both signs
		default:
			x[i] = float32(rng.Intn(9) - 6)
		}
	}
}

// firstBitDiff returns the first index where a and b differ in bits, or -1.
func firstBitDiff(a, b []float32) int {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i
		}
	}
	return -1
}

const poolGuard = float32(-12345.5)

// withGuards returns n floats of a buffer with poolGuard values on both sides,
// and a check that they are intact.
func withGuards(n int) ([]float32, func() bool) {
	buf := make([]float32, n+32)
	for i := range buf {
		buf[i] = poolGuard
	}
	return buf[16 : 16+n], func() bool {
		for _, v := range append(buf[:16:16], buf[16+n:]...) {
			if v != poolGuard {
				return false
			}
		}
		return true
	}
}

// TestMaxPool2dImpls compares every implementation of MaxPool2d with
// MaxPool2dNaive bit for bit (NaN payloads, ±0 and ties included) over
// kernel sizes, strides, paddings, plane sizes and thread counts.
func TestMaxPool2dImpls(t *testing.T) {
	cpuvariant.ForEach(t, func(t *testing.T) { testMaxPool2d(t, activePool()) })
}

func testMaxPool2d(t *testing.T, im *poolImpl) {
	rng := rand.New(rand.NewSource(1))
	var geoms []ConvGeom
	for kh := 1; kh <= 4; kh++ {
		for kw := 1; kw <= 4; kw++ {
			for s := 1; s <= 9; s++ {
				sh, sw := 1+s/3, 1+s%3
				for p := 0; p < 3; p++ {
					ph, pw := min(p, kh/2), min(p, kw/2)
					h, w := kh+rng.Intn(12), kw+rng.Intn(72)
					geoms = append(geoms, ConvGeom{C: 1 + rng.Intn(3), H: h, W: w, KH: kh, KW: kw, SH: sh, SW: sw, PH: ph, PW: pw})
				}
			}
		}
	}
	geoms = append(geoms,
		ConvGeom{C: 3, H: 55, W: 55, KH: 3, KW: 3, SH: 2, SW: 2},
		ConvGeom{C: 3, H: 27, W: 27, KH: 3, KW: 3, SH: 2, SW: 2},
		ConvGeom{C: 5, H: 13, W: 13, KH: 3, KW: 3, SH: 2, SW: 2},
		ConvGeom{C: 2, H: 66, W: 67, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1},
		ConvGeom{C: 2, H: 7, W: 9, KH: 2, KW: 2, SH: 5, SW: 4, PH: 3, PW: 2}, // windows wholly in the padding
		ConvGeom{C: 1, H: 1, W: 1, KH: 1, KW: 1, SH: 1, SW: 1},
	)
	for _, g := range geoms {
		x := guardedSlice(t, g.C*g.H*g.W)
		poolValues(rng, x)
		n := g.C * g.OH() * g.OW()
		want := make([]float32, n)
		MaxPool2dNaive(g, x, want)
		for _, threads := range []int{1, 2, 5} {
			y, ok := withGuards(n)
			maxPool2d(im, g, x, y, threads)
			if i := firstBitDiff(y, want); i >= 0 {
				t.Fatalf("%+v threads %d: y[%d] = %v (%#x), want %v (%#x)", g, threads, i,
					y[i], math.Float32bits(y[i]), want[i], math.Float32bits(want[i]))
			}
			if !ok() {
				t.Fatalf("%+v threads %d: wrote outside y", g, threads)
			}
		}
	}
}

// TestPoolRowKernels checks each implementation's hmax and vmax against
// the loops documented at poolImpl, sweeping lengths across the vector
// widths with the input ending at unreadable memory and guards around the
// output.
func TestPoolRowKernels(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	cpuvariant.ForEach(t, func(t *testing.T) {
		im := activePool()
		for n := 1; n <= 40; n++ {
			for k := 1; k <= 4; k++ {
				for s := 1; s <= 3; s++ {
					for _, rows := range []int{1, 3} {
						checkHMax(t, im, rng, rows, n, k, s)
						checkVMax(t, im, rng, rows, n, k, s)
					}
				}
			}
		}
	})
}

func checkHMax(t *testing.T, im *poolImpl, rng *rand.Rand, rows, n, kw, sw int) {
	ldx, ldo := (n-1)*sw+kw+rng.Intn(3), n+rng.Intn(3)
	x := guardedSlice(t, (rows-1)*ldx+(n-1)*sw+kw)
	poolValues(rng, x)
	out, ok := withGuards((rows-1)*ldo + n)
	want := append([]float32(nil), out...)
	for r := 0; r < rows; r++ {
		for o := 0; o < n; o++ {
			m := x[r*ldx+o*sw]
			for j := 1; j < kw; j++ {
				if v := x[r*ldx+o*sw+j]; v > m || v != v {
					m = v
				}
			}
			want[r*ldo+o] = m
		}
	}
	im.hmax(x, ldx, rows, n, kw, sw, out, ldo)
	if i := firstBitDiff(out, want); i >= 0 || !ok() {
		t.Fatalf("hmax rows %d n %d kw %d sw %d: out[%d] = %v, want %v (guards intact %v)", rows, n, kw, sw, i, out[max(i, 0)], want[max(i, 0)], ok())
	}
}

func checkVMax(t *testing.T, im *poolImpl, rng *rand.Rand, rows, n, kh, sh int) {
	ldx, ldo := n+rng.Intn(3), n+rng.Intn(3)
	x := guardedSlice(t, ((rows-1)*sh+kh-1)*ldx+n)
	poolValues(rng, x)
	out, ok := withGuards((rows-1)*ldo + n)
	want := append([]float32(nil), out...)
	for r := 0; r < rows; r++ {
		for o := 0; o < n; o++ {
			m := x[r*sh*ldx+o]
			for i := 1; i < kh; i++ {
				if v := x[(r*sh+i)*ldx+o]; v > m || v != v {
					m = v
				}
			}
			want[r*ldo+o] = m
		}
	}
	im.vmax(x, ldx, rows, n, kh, sh, out, ldo)
	if i := firstBitDiff(out, want); i >= 0 || !ok() {
		t.Fatalf("vmax rows %d n %d kh %d sh %d: out[%d] = %v, want %v (guards intact %v)", rows, n, kh, sh, i, out[max(i, 0)], want[max(i, 0)], ok())
	}
}

// TestLRNImpls compares every implementation of LRN with LRNNaive to 1e-6
// relative (NaN where it is NaN), over window sizes, channel counts,
// lengths across the vector widths, runs split for threads and longer than
// lrnChunk, and thread counts.
func TestLRNImpls(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	cpuvariant.ForEach(t, func(t *testing.T) {
		im := activePool()
		for _, size := range []int{1, 2, 4, 5, 7} {
			for _, c := range []int{1, 3, 8, 13} {
				for _, hw := range []int{1, 7, 16, 17, 41, 200} {
					for _, beta := range []float32{0.75, 0.5} {
						checkLRN(t, im, rng, 1+hw%2, c, hw, size, beta, 2)
					}
				}
			}
		}
		checkLRN(t, im, rng, 1, 3, lrnChunk+9, 5, 0.75, 2)
		// d zero or negative somewhere: the AVX-512 kernel's exact path.
		checkLRN(t, im, rng, 2, 4, 77, 1, 0.75, 0)
		checkLRN(t, im, rng, 2, 4, 77, 2, 0.75, -1e-3)
	})
}

func checkLRN(t *testing.T, im *poolImpl, rng *rand.Rand, n, c, hw, size int, beta, k float32) {
	x := guardedSlice(t, n*c*hw)
	for i := range x {
		x[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.Intn(5)-1)))
		switch rng.Intn(500) {
		case 0:
			x[i] = []float32{float32(math.Inf(1)), float32(math.NaN()), float32(math.Inf(-1))}[rng.Intn(3)]
		case 1, 2, 3, 4, 5:
			x[i] = 0
		}
	}
	want := make([]float32, len(x))
	LRNNaive(n, c, hw, size, 1e-3, beta, k, x, want)
	for _, threads := range []int{1, 3} {
		y, ok := withGuards(len(x))
		lrn(im, n, c, hw, size, 1e-3, beta, k, x, y, threads)
		for i, w := range want {
			if v := y[i]; !(v == w || v != v && w != w || math.Abs(float64(v-w)) <= 1e-6*math.Abs(float64(w))) {
				t.Fatalf("size %d C %d HW %d beta %g k %g threads %d: y[%d] = %v, want %v", size, c, hw, beta, k, threads, i, v, w)
			}
		}
		if !ok() {
			t.Fatalf("size %d C %d HW %d threads %d: wrote outside y", size, c, hw, threads)
		}
	}
}

// TestAdaptiveAvgPool2d compares AdaptiveAvgPool2dThreads with the loop
// in its doc comment bit for bit, shrinking, growing and keeping the size
// (the copy fast path: -0 becomes +0 as in the sum).
func TestAdaptiveAvgPool2d(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	for _, s := range []struct{ h, w, oh, ow int }{{13, 11, 6, 6}, {6, 6, 6, 6}, {3, 5, 7, 2}, {1, 1, 1, 1}} {
		x := make([]float32, 7*s.h*s.w)
		poolValues(rng, x)
		want := make([]float32, 7*s.oh*s.ow)
		for c := 0; c < 7; c++ {
			for oy := 0; oy < s.oh; oy++ {
				for ox := 0; ox < s.ow; ox++ {
					y0, y1 := oy*s.h/s.oh, ((oy+1)*s.h+s.oh-1)/s.oh
					x0, x1 := ox*s.w/s.ow, ((ox+1)*s.w+s.ow-1)/s.ow
					var sum float32
					for iy := y0; iy < y1; iy++ {
						for ix := x0; ix < x1; ix++ {
							sum += x[(c*s.h+iy)*s.w+ix]
						}
					}
					want[(c*s.oh+oy)*s.ow+ox] = sum / float32((y1-y0)*(x1-x0))
				}
			}
		}
		for _, threads := range []int{1, 3} {
			y, ok := withGuards(len(want))
			AdaptiveAvgPool2dThreads(7, s.h, s.w, s.oh, s.ow, x, y, threads)
			if i := firstBitDiff(y, want); i >= 0 || !ok() {
				t.Fatalf("%+v threads %d: y[%d] = %v, want %v (guards intact %v)", s, threads, i, y[max(i, 0)], want[max(i, 0)], ok())
			}
		}
	}
}

// alexNetPools are the max pooling layers of torchvision's AlexNet at
// batch 64: 3×3 windows at stride 2 over the planes of every image.
var alexNetPools = []struct {
	name string
	g    ConvGeom
}{
	{"64x55x55", ConvGeom{C: 64 * 64, H: 55, W: 55, KH: 3, KW: 3, SH: 2, SW: 2}},
	{"192x27x27", ConvGeom{C: 64 * 192, H: 27, W: 27, KH: 3, KW: 3, SH: 2, SW: 2}},
	{"256x13x13", ConvGeom{C: 64 * 256, H: 13, W: 13, KH: 3, KW: 3, SH: 2, SW: 2}},
}

// BenchmarkMaxPool2d runs AlexNet's pools at batch 64 with every
// implementation on 1 and 2 goroutines, and MaxPool2dNaive.
func BenchmarkMaxPool2d(b *testing.B) {
	rng := rand.New(rand.NewSource(5))
	for _, p := range alexNetPools {
		g := p.g
		x, y := randSlice(rng, g.C*g.H*g.W), make([]float32, g.C*g.OH()*g.OW())
		b.Run(p.name+"/naive", func(b *testing.B) {
			b.SetBytes(int64(4 * len(x)))
			for b.Loop() {
				MaxPool2dNaive(g, x, y)
			}
		})
		for _, im := range poolVariants.Impls() {
			for _, threads := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/%s-%dt", p.name, im.name, threads), func(b *testing.B) {
					b.SetBytes(int64(4 * len(x)))
					for b.Loop() {
						maxPool2d(im, g, x, y, threads)
					}
				})
			}
		}
	}
}

// BenchmarkLRNBatch runs the "original" AlexNet's two LRN layers (size 5,
// alpha 1e-4, beta 0.75, k 2) at batch 64 with every implementation on 1
// and 2 goroutines, and LRNNaive.
func BenchmarkLRNBatch(b *testing.B) {
	rng := rand.New(rand.NewSource(6))
	for _, p := range []struct{ c, hw int }{{96, 55 * 55}, {256, 27 * 27}} {
		const n = 64
		x, y := randSlice(rng, n*p.c*p.hw), make([]float32, n*p.c*p.hw)
		name := fmt.Sprintf("%dx%d", p.c, p.hw)
		b.Run(name+"/naive", func(b *testing.B) {
			b.SetBytes(int64(4 * len(x)))
			for b.Loop() {
				LRNNaive(n, p.c, p.hw, 5, 1e-4, 0.75, 2, x, y)
			}
		})
		for _, im := range poolVariants.Impls() {
			for _, threads := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/%s-%dt", name, im.name, threads), func(b *testing.B) {
					b.SetBytes(int64(4 * len(x)))
					for b.Loop() {
						lrn(im, n, p.c, p.hw, 5, 1e-4, 0.75, 2, x, y, threads)
					}
				})
			}
		}
	}
}
