package jpeg

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/alexnet-go/alexnet/internal/cpuvariant"
)

// TestMain runs the package's tests once per kernel set (per CPU variant,
// see cpuvariant, that selects another set), the preferred set first, so that every decode test also covers the portable kernels. A
// benchmark or fuzzing run uses the preferred set only (the kernel
// benchmarks name their set).
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	for _, name := range []string{"test.bench", "test.fuzz", "test.fuzzcachedir"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" {
			os.Exit(code)
		}
	}
	best := cpuvariant.Active()
	ran := map[string]bool{kernels.Active(): true}
	vs := cpuvariant.Variants()
	for i := len(vs) - 1; i >= 0 && code == 0; i-- {
		if err := cpuvariant.Select(vs[i]); err != nil {
			panic(err)
		}
		if ran[kernels.Active()] {
			continue
		}
		ran[kernels.Active()] = true
		fmt.Printf("jpeg: tests with the %q kernels\n", kernels.Get().name)
		code = m.Run()
	}
	if err := cpuvariant.Select(best); err != nil {
		panic(err)
	}
	os.Exit(code)
}

// guard is the byte around kernel output buffers; a kernel must not write it.
const guard = 0xA5

// guarded returns a buffer of n bytes with 32 guard bytes on each side, and
// the n-byte window into it.
func guarded(n int) (buf, win []byte) {
	buf = make([]byte, n+64)
	for i := range buf {
		buf[i] = guard
	}
	return buf, buf[32 : 32+n]
}

// checkGuards reports any guard byte of buf that was written.
func checkGuards(t *testing.T, what string, buf []byte) {
	t.Helper()
	n := len(buf) - 64
	for i := range 32 {
		if buf[i] != guard || buf[32+n+i] != guard {
			t.Fatalf("%s: wrote outside its buffer", what)
		}
	}
}

// testIDCT is the conformance test of an idct kernel against idctGo: the
// blocks of idctCases, at strides 8 to 24, with guards around the output
// and between its rows.
func testIDCT(t *testing.T, idct func(b *[64]int16, q *[64]int16, dst []byte, stride int)) {
	for i, blk := range idctCases() {
		stride := 8 + 8*(i%3)
		n := 7*stride + 8
		_, want := guarded(n) // the guards between rows must stay too
		gotBuf, got := guarded(n)
		idctGo(&blk.b, &blk.q, want, stride)
		idct(&blk.b, &blk.q, got, stride)
		checkGuards(t, "idct", gotBuf)
		if i := firstDiff(got, want); i >= 0 {
			t.Fatalf("block %v q %v stride %d: byte %d (row %d col %d) = %d, idctGo %d",
				blk.b, blk.q, stride, i, i/stride, i%stride, got[i], want[i])
		}
	}
}

// idctCase is one block of coefficients and its quantiser, stored as the
// decoder's c.q holds it.
type idctCase struct {
	b, q [64]int16
}

func newIDCTCase(b *[64]int16, q *[64]int32) idctCase {
	c := idctCase{b: *b}
	for i, v := range q {
		c.q[i] = int16(v) // the decoder's c.q: wrap16(coef*q) needs only q's low 16 bits
	}
	return c
}

// idctCases are random blocks of every density, extreme coefficients
// (±32767, -32768) and quantisers (up to 65535), blocks whose AC rows 1-7
// or whole AC are zero, and single nonzero coefficients at every position.
func idctCases() []idctCase {
	r := rand.New(rand.NewPCG(1, 2))
	var cases []idctCase
	for range 20000 {
		b, q := randomIDCTBlock(r)
		cases = append(cases, newIDCTCase(&b, &q))
	}
	for k := range 64 { // every position alone, at the extremes
		for _, v := range []int16{32767, -32768, 1, -1} {
			for _, qv := range []int32{1, 65535, 32768} {
				var b [64]int16
				var q [64]int32
				for i := range q {
					q[i] = qv
				}
				b[k] = v
				cases = append(cases, newIDCTCase(&b, &q))
			}
		}
	}
	return cases
}

// randomIDCTBlock draws a coefficient and a quantiser mode, the quantiser,
// then the block's density.
func randomIDCTBlock(r *rand.Rand) (b [64]int16, q [64]int32) {
	cm, qm := r.IntN(4), r.IntN(3)
	for i := range q {
		q[i] = randomQuant(r, qm)
	}
	switch r.IntN(5) {
	case 0: // dense
		for i := range b {
			b[i] = randomCoef(r, cm)
		}
	case 1: // sparse
		for range 1 + r.IntN(8) {
			b[r.IntN(64)] = randomCoef(r, cm)
		}
	case 2: // AC rows 1-7 zero
		for i := range 8 {
			if r.IntN(2) == 0 {
				b[i] = randomCoef(r, cm)
			}
		}
	case 3: // DC only
		b[0] = randomCoef(r, cm)
	case 4: // one nonzero coefficient
		b[r.IntN(64)] = randomCoef(r, cm)
	}
	return b, q
}

var extremeCoefs = []int16{0, 1, -1, 2, -2, 127, -128, 1023, -1024, 16383, -16384, 32767, -32768}

// randomCoef is a coefficient: small, medium, any 16-bit value, or one of
// extremeCoefs, by mode.
func randomCoef(r *rand.Rand, mode int) int16 {
	switch mode {
	case 0:
		return int16(r.IntN(64) - 32)
	case 1:
		return int16(r.IntN(2048) - 1024)
	case 2:
		return int16(r.Uint32())
	}
	return extremeCoefs[r.IntN(len(extremeCoefs))]
}

// randomQuant is a quantiser: small, any up to 65535, or an extreme one,
// by mode.
func randomQuant(r *rand.Rand, mode int) int32 {
	switch mode {
	case 0:
		return 1 + r.Int32N(100)
	case 1:
		return 1 + r.Int32N(65535)
	}
	return []int32{1, 255, 256, 32767, 32768, 65535}[r.IntN(6)]
}

// testYCC is the conformance test of a colour converter against its Go
// loop (px 4: yccRow, px 3: yccRowRGB) on random and extreme samples, at
// row lengths 1 to 70, with guards.
func testYCC(t *testing.T, px int, ycc func(dst, y, cb, cr []byte)) {
	ref := yccRow
	if px == 3 {
		ref = yccRowRGB
	}
	r := rand.New(rand.NewPCG(3, 4))
	for n := 1; n <= 70; n++ {
		for trial := range 50 {
			y, cb, cr := make([]byte, n), make([]byte, n), make([]byte, n)
			for i := range n {
				if trial%2 == 0 {
					y[i], cb[i], cr[i] = byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32())
				} else {
					e := []byte{0, 1, 127, 128, 254, 255}
					y[i], cb[i], cr[i] = e[r.IntN(6)], e[r.IntN(6)], e[r.IntN(6)]
				}
			}
			want := make([]byte, px*n)
			ref(want, y, cb, cr)
			buf, got := guarded(px * n)
			ycc(got, y, cb, cr)
			checkGuards(t, "ycc", buf)
			if i := firstDiff(got, want); i >= 0 {
				t.Fatalf("n=%d: byte %d = %d, want %d (y %d cb %d cr %d)", n, i, got[i], want[i], y[i/px], cb[i/px], cr[i/px])
			}
		}
	}
	// Every (cb, cr) pair with a few luma values.
	y, cb, cr := make([]byte, 256), make([]byte, 256), make([]byte, 256)
	want, got := make([]byte, px*256), make([]byte, px*256)
	for _, yv := range []byte{0, 16, 128, 235, 255} {
		for c := range 256 {
			for i := range 256 {
				y[i], cb[i], cr[i] = yv, byte(c), byte(i)
			}
			ref(want, y, cb, cr)
			ycc(got, y, cb, cr)
			if i := firstDiff(got, want); i >= 0 {
				t.Fatalf("y %d cb %d cr %d: byte %d = %d, want %d", yv, c, i/px, i, got[i], want[i])
			}
		}
	}
}

// testUpsample is the conformance test of the fancy upsamplers against
// h2v1Fancy and h2v2Fancy at row lengths 3 to 70, with guards.
func testUpsample(t *testing.T, h2v1 func(in, out []byte), h2v2 func(in, nb, out []byte)) {
	r := rand.New(rand.NewPCG(5, 6))
	for n := 3; n <= 70; n++ {
		for trial := range 50 {
			in, nb := make([]byte, n), make([]byte, n)
			for i := range n {
				in[i], nb[i] = byte(r.Uint32()), byte(r.Uint32())
				if trial%3 == 0 {
					in[i], nb[i] = 255*byte(r.IntN(2)), 255*byte(r.IntN(2))
				}
			}
			want := make([]byte, 2*n)
			buf, got := guarded(2 * n)
			h2v1Fancy(in, want)
			h2v1(in, got)
			checkGuards(t, "h2v1", buf)
			if i := firstDiff(got, want); i >= 0 {
				t.Fatalf("h2v1 n=%d: byte %d = %d, want %d", n, i, got[i], want[i])
			}
			h2v2Fancy(in, nb, want)
			h2v2(in, nb, got)
			checkGuards(t, "h2v2", buf)
			if i := firstDiff(got, want); i >= 0 {
				t.Fatalf("h2v2 n=%d: byte %d = %d, want %d", n, i, got[i], want[i])
			}
		}
	}
}

// TestKernels runs the conformance suite on every kernel set.
func TestKernels(t *testing.T) {
	for _, k := range kernels.Impls() {
		t.Run(k.name, func(t *testing.T) {
			t.Run("idct", func(t *testing.T) { testIDCT(t, k.idct) })
			t.Run("ycc", func(t *testing.T) { testYCC(t, 4, k.ycc) })
			t.Run("yccRGB", func(t *testing.T) { testYCC(t, 3, k.yccRGB) })
			t.Run("upsample", func(t *testing.T) { testUpsample(t, k.h2v1, k.h2v2) })
		})
	}
}

// TestIDCTExact checks the IDCT's 16-bit corner cases against values
// worked from idctGo's definition: a DC-only block whose pass-1 value
// wraps (the shortcut), and one whose column shortcut saturates.
func TestIDCTExact(t *testing.T) {
	for _, k := range kernels.Impls() {
		var b, q [64]int16
		for i := range q {
			q[i] = 1
		}
		// DC 16384: wrap16(16384 << 2) = 0 -> 128 everywhere.
		b[0] = 16384
		out := make([]byte, 64)
		k.idct(&b, &q, out, 8)
		if out[0] != 128 || out[63] != 128 {
			t.Errorf("%s: DC-only wrap: %d, %d; want 128", k.name, out[0], out[63])
		}
		// The same DC with a nonzero AC in row 1: pass 1 saturates column 0
		// (16384 << 2 -> 32767) instead of wrapping.
		b[8+7] = 1
		k.idct(&b, &q, out, 8)
		want := make([]byte, 64)
		idctGo(&b, &q, want, 8)
		if i := firstDiff(out, want); i >= 0 || want[0] != 255 {
			t.Errorf("%s: saturating column: byte %d = %d, idctGo %d (want[0] %d, expect 255)", k.name, i, out[max(i, 0)], want[max(i, 0)], want[0])
		}
	}
}

func benchKernels(b *testing.B, f func(b *testing.B, k *kernelSet)) {
	for _, k := range kernels.Impls() {
		b.Run(k.name, func(b *testing.B) { f(b, k) })
	}
}

// BenchmarkIDCT runs each set's IDCT over the blocks of a progressive
// photo (its coefficients stay buffered after decoding: a realistic mix of
// dense, sparse and DC-only blocks).
func BenchmarkIDCT(b *testing.B) {
	d := &decoder{src: source{buf: readFixture(b, "pil_420_prog.jpg")}}
	if err := d.decode(false); err != nil {
		b.Fatal(err)
	}
	type block struct{ b, q *[64]int16 }
	var blocks []block
	for i := range d.comp {
		c := &d.comp[i]
		for j := 0; j < len(c.coef); j += 64 {
			blocks = append(blocks, block{(*[64]int16)(c.coef[j:]), &c.q})
		}
	}
	out := make([]byte, 64)
	benchKernels(b, func(b *testing.B, k *kernelSet) {
		b.SetBytes(int64(64 * len(blocks)))
		for b.Loop() {
			for _, blk := range blocks {
				k.idct(blk.b, blk.q, out, 8)
			}
		}
	})
}

// BenchmarkYCC converts a 500-pixel row to RGB and to RGBA.
func BenchmarkYCC(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 8))
	y, cb, cr := make([]byte, 500), make([]byte, 500), make([]byte, 500)
	for i := range y {
		y[i], cb[i], cr[i] = byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32())
	}
	dst := make([]byte, 4*500)
	benchKernels(b, func(b *testing.B, k *kernelSet) {
		b.Run("rgb", func(b *testing.B) {
			b.SetBytes(500)
			for b.Loop() {
				k.yccRGB(dst, y, cb, cr)
			}
		})
		b.Run("rgba", func(b *testing.B) {
			b.SetBytes(500)
			for b.Loop() {
				k.ycc(dst, y, cb, cr)
			}
		})
	})
}

// BenchmarkUpsample doubles a 250-sample row (h2v1, h2v2).
func BenchmarkUpsample(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 10))
	in, nb := make([]byte, 250), make([]byte, 250)
	for i := range in {
		in[i], nb[i] = byte(r.Uint32()), byte(r.Uint32())
	}
	out := make([]byte, 500)
	benchKernels(b, func(b *testing.B, k *kernelSet) {
		b.Run("h2v1", func(b *testing.B) {
			b.SetBytes(500)
			for b.Loop() {
				k.h2v1(in, out)
			}
		})
		b.Run("h2v2", func(b *testing.B) {
			b.SetBytes(500)
			for b.Loop() {
				k.h2v2(in, nb, out)
			}
		})
	})
}
