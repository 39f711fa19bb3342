package imageproc

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/alexnet-go/alexnet/internal/cpuvariant"
	"github.com/alexnet-go/alexnet/internal/testutil"
)

// resizeAsmKernels returns the CPU's assembly row kernels, nil where
// there are none.
func resizeAsmKernels() *resizeKernels {
	ims := resizeAsm.Impls()
	return ims[len(ims)-1]
}

// Every variant agrees with the naive loops on random shapes, shrinking
// and enlarging (row lengths that are and are not whole 8-byte chunks),
// and ResizeCrop with the naive resize then the crop.
func TestResizeVariants(t *testing.T) {
	testutil.ForEachVariant(t, func(t *testing.T) {
		name := cpuvariant.Active()
		r := rand.New(rand.NewPCG(8, 9))
		for i := range 60 {
			src := randomRGB(1+r.IntN(400), 1+r.IntN(300), uint64(i))
			w, h := 1+r.IntN(300), 1+r.IntN(300)
			if got, want := ResizeTo(src, w, h), naiveResizeTo(src, w, h); !bytes.Equal(got.Pix, want.Pix) {
				t.Fatalf("%s: %dx%d -> %dx%d differs from the naive loops", name, src.W, src.H, w, h)
			}
			size, crop := 1+r.IntN(300), 1+r.IntN(300)
			rw, rh := ResizeShape(src.W, src.H, size)
			if crop > rw || crop > rh {
				continue
			}
			want := Crop(naiveResizeTo(src, rw, rh), CenterCropRect(rw, rh, crop, crop))
			if got := ResizeCrop(src, size, crop); !bytes.Equal(got.Pix, want.Pix) {
				t.Fatalf("%s: ResizeCrop(%dx%d, %d, %d) differs from the naive resize and crop", name, src.W, src.H, size, crop)
			}
		}
	})
}

// The assembly row kernels write exactly their outputs (guard bytes
// around them stay) and compute the Go loops' values, on extreme pixels
// and weights.
func TestResizeKernels(t *testing.T) {
	asm := resizeAsmKernels()
	if asm == nil {
		t.Skip("no assembly row kernels on this CPU or build")
	}
	const guard = 0xA5
	r := rand.New(rand.NewPCG(3, 4))
	pixel := func() uint8 {
		if r.IntN(4) == 0 {
			return []uint8{0, 255}[r.IntN(2)]
		}
		return uint8(r.IntN(256))
	}
	for trial := range 300 {
		// Horizontal: a row of in pixels to out pixels.
		in, out := 4+r.IntN(200), 1+r.IntN(200)
		row := make([]uint8, 3*in+3) // 3 readable bytes past the row, as in an image
		for i := range row {
			row[i] = pixel()
		}
		f := newCoeffs(in, out).fixed(in)
		x0 := r.IntN(out)
		x1 := x0 + 1 + r.IntN(out-x0)
		tab := newHTable(f, x0, x1)
		n := 3 * (x1 - x0)
		want := make([]uint8, n)
		hrowTable(want, row[:3*in], tab, 0)
		got := bytes.Repeat([]uint8{guard}, n+16)
		if chunks := n / 8; chunks > 0 {
			if tab.need > len(row) {
				t.Fatalf("table needs %d bytes of a %d-byte row", tab.need, len(row))
			}
			asm.horz(&got[8], &row[0], &tab.tab[0], chunks, tab.taps)
		}
		hrowTable(got[8:8+n], row[:3*in], tab, n/8*8)
		if !bytes.Equal(got[8:8+n], want) || !allBytes(got[:8], guard) || !allBytes(got[8+n:], guard) {
			t.Fatalf("trial %d: horizontal %d -> %d, columns [%d,%d): kernel differs or wrote outside", trial, in, out, x0, x1)
		}
		// Vertical: 4 rows of m bytes, weights summing to about 1<<22.
		m := 1 + r.IntN(100)
		rows := make([][]uint8, 4)
		ptrs := new([4]*uint8)
		for j := range rows {
			rows[j] = make([]uint8, m)
			for i := range rows[j] {
				rows[j][i] = pixel()
			}
			ptrs[j] = &rows[j][0]
		}
		k := new([4]int32)
		left := int32(1 << precisionBits)
		for j := range 3 {
			k[j] = r.Int32N(left + 1)
			left -= k[j]
		}
		k[3] = left
		want = make([]uint8, m)
		vrow(want, rows, k[:], 0)
		got = bytes.Repeat([]uint8{guard}, m+16)
		done := m / 8 * 8
		if done > 0 {
			asm.vert4(&got[8], ptrs, k, done)
		}
		vrow(got[8+done:8+m], rows, k[:], done)
		if !bytes.Equal(got[8:8+m], want) || !allBytes(got[:8], guard) || !allBytes(got[8+m:], guard) {
			t.Fatalf("trial %d: vertical, %d bytes, weights %v: kernel differs or wrote outside", trial, m, *k)
		}
	}
}

func allBytes(b []uint8, v uint8) bool {
	for _, x := range b {
		if x != v {
			return false
		}
	}
	return true
}

// BenchmarkResizeCropVariants: ResizeCrop of a 500x375 image to the
// 224x224 evaluation crop with each variant's row kernels.
func BenchmarkResizeCropVariants(b *testing.B) {
	src := randomRGB(500, 375, 2)
	cpuvariant.ForEach(b, func(b *testing.B) {
		for b.Loop() {
			ResizeCrop(src, 256, 224)
		}
	})
}
