package imageproc

import (
	"math/rand/v2"
	"testing"
)

func randomRGB(w, h int, seed uint64) *RGB {
	m := NewRGB(w, h)
	r := rand.New(rand.NewPCG(seed, 1))
	for i := range m.Pix {
		m.Pix[i] = uint8(r.IntN(256))
	}
	return m
}

// naiveResizeTo is the textbook form of ResizeTo, the twin for benchmarks
// and a cross-check: it recomputes every output pixel's weights from the
// same coefficient tables, horizontal pass over all rows, one channel at
// a time, indexing pixels directly.
func naiveResizeTo(src *RGB, w, h int) *RGB {
	tmp := src
	if w != src.W {
		c := newCoeffs(src.W, w)
		tmp = NewRGB(w, src.H)
		for y := 0; y < src.H; y++ {
			for x := 0; x < w; x++ {
				for ch := 0; ch < 3; ch++ {
					s := int32(1 << (precisionBits - 1))
					for j := 0; j < c.n[x]; j++ {
						s += int32(src.Pix[3*(y*src.W+c.start[x]+j)+ch]) * c.k[x*c.ksize+j]
					}
					tmp.Pix[3*(y*w+x)+ch] = clip8(s)
				}
			}
		}
	}
	out := tmp
	if h != src.H {
		c := newCoeffs(src.H, h)
		out = NewRGB(w, h)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				for ch := 0; ch < 3; ch++ {
					s := int32(1 << (precisionBits - 1))
					for j := 0; j < c.n[y]; j++ {
						s += int32(tmp.Pix[3*((c.start[y]+j)*w+x)+ch]) * c.k[y*c.ksize+j]
					}
					out.Pix[3*(y*w+x)+ch] = clip8(s)
				}
			}
		}
	}
	return out
}

// TestResizeMatchesNaive: the row-window, row-accumulator passes of
// ResizeTo agree with the plain loops on random sizes (PIL fixtures are
// the truth; this covers sizes they do not).
func TestResizeMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < 40; i++ {
		src := randomRGB(1+r.IntN(70), 1+r.IntN(70), uint64(i))
		w, h := 1+r.IntN(90), 1+r.IntN(90)
		got, want := ResizeTo(src, w, h), naiveResizeTo(src, w, h)
		if string(got.Pix) != string(want.Pix) {
			t.Fatalf("%dx%d -> %dx%d differs from the naive loops", src.W, src.H, w, h)
		}
	}
}

// TestResizeAllocs: a resize allocates its tables and images (about 20
// allocations), never per row or pixel (480 rows here).
func TestResizeAllocs(t *testing.T) {
	src := randomRGB(640, 480, 1)
	if n := testing.AllocsPerRun(3, func() { Resize(src, 256) }); n > 24 {
		t.Errorf("Resize allocates %v times", n)
	}
}

func benchResize(b *testing.B, w, h, size int, f func(*RGB, int, int) *RGB) {
	src := randomRGB(w, h, 1)
	nw, nh := ResizeShape(w, h, size)
	b.SetBytes(int64(len(src.Pix)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f(src, nw, nh)
	}
}

func BenchmarkResizeDown3840x2400(b *testing.B)      { benchResize(b, 3840, 2400, 256, ResizeTo) }
func BenchmarkResizeDown3840x2400Naive(b *testing.B) { benchResize(b, 3840, 2400, 256, naiveResizeTo) }
func BenchmarkResizeUp64x64(b *testing.B)            { benchResize(b, 64, 64, 256, ResizeTo) }
func BenchmarkResizeUp64x64Naive(b *testing.B)       { benchResize(b, 64, 64, 256, naiveResizeTo) }

func BenchmarkPreprocess500x375(b *testing.B) {
	src := randomRGB(500, 375, 2)
	for i := 0; i < b.N; i++ {
		if _, err := Preprocess(src, nil); err != nil {
			b.Fatal(err)
		}
	}
}
