package imageproc

import (
	"image"
	"slices"

	"github.com/alexnet-go/alexnet/internal/bufpool"
)

// ResizeCrop is CenterCrop(Resize(src, size), crop) computed for the crop
// only: each pixel inside the crop is resampled with the coefficients of
// the whole resize and summed in the same order, so the result is byte for
// byte the same, without the work on the pixels the crop drops (about 40%
// of a 4:3 photo). size <= 0 means no resize and crop <= 0 no crop. A crop
// larger than the resized image (which pads) goes through Resize and
// CenterCrop. The result never shares src's pixels. A nil or malformed src
// gives nil.
func ResizeCrop(src *RGB, size, crop int) *RGB {
	if !src.valid() {
		return nil
	}
	w, h := src.W, src.H
	if size > 0 {
		if w == 0 || h == 0 {
			return nil
		}
		w, h = ResizeShape(src.W, src.H, size)
	}
	r := image.Rect(0, 0, w, h)
	if crop > 0 {
		r = CenterCropRect(w, h, crop, crop)
	}
	if !r.In(image.Rect(0, 0, w, h)) || r.Empty() {
		m := src
		if size > 0 {
			m = Resize(src, size)
		}
		if crop > 0 {
			m = CenterCrop(m, crop)
		}
		return m // a copy, or src when it has no pixels
	}
	if w == src.W && h == src.H {
		return Crop(src, r)
	}
	return resizeRect(src, w, h, r)
}

// resizeRect is Crop(ResizeTo(src, w, h), r) for r inside w×h, computing
// only r: the horizontal pass (when the width changes) over the source
// rows the vertical taps of r's rows read and r's columns, then the
// vertical pass (when the height changes) over r's rows.
func resizeRect(src *RGB, w, h int, r image.Rectangle) *RGB {
	cur, x0 := src, 0 // cur's column 0 is output column x0
	vert := newCoeffs(src.H, h)
	first, last := r.Min.Y, r.Max.Y // source rows the vertical pass reads
	if h != src.H {
		first, last = vert.start[r.Min.Y], vert.start[r.Max.Y-1]+vert.n[r.Max.Y-1]
	}
	if w != src.W {
		cur = horizontalCols(src, newCoeffs(src.W, w), first, last, r.Min.X, r.Max.X)
		x0 = r.Min.X
	} else {
		cur = Crop(src, image.Rect(0, first, src.W, last))
	}
	defer bufpool.Put(cur.Pix) // cur is this call's own: src copied or resampled
	if h == src.H {
		return Crop(cur, image.Rect(r.Min.X-x0, 0, r.Max.X-x0, cur.H))
	}
	for i := range vert.start {
		vert.start[i] -= first
	}
	out := verticalRows(cur, vert, r.Min.Y, r.Max.Y)
	if x0 == r.Min.X && out.W == r.Dx() {
		return out
	}
	defer bufpool.Put(out.Pix)
	return Crop(out, image.Rect(r.Min.X-x0, 0, r.Max.X-x0, out.H))
}

// horizontalCols is horizontal for output columns [x0, x1) only: rows
// [first, last) of src resampled with c, an image (x1-x0)×(last-first).
func horizontalCols(src *RGB, c coeffs, first, last, x0, x1 int) *RGB {
	out := &RGB{W: x1 - x0, H: last - first, Pix: bufpool.Get(3 * (x1 - x0) * (last - first))}
	f := c.fixed(src.W)
	var t *hTable
	asm := resizeAsm.Get()
	if f.k != nil && asm != nil {
		t = newHTable(f, x0, x1)
	}
	for y := first; y < last; y++ {
		row := src.Pix[3*y*src.W : 3*(y+1)*src.W]
		dst := out.Pix[3*(y-first)*out.W : 3*(y-first+1)*out.W]
		switch {
		case f.k == nil:
			hrow(dst, row, c, x0, x1)
		case t != nil:
			done := 0
			if chunks := len(dst) / 8; chunks > 0 && len(src.Pix)-3*y*src.W >= t.need {
				asm.horz(&dst[0], &row[0], &t.tab[0], chunks, t.taps)
				done = 8 * chunks
			}
			hrowTable(dst, row, t, done)
		case f.taps == 3:
			hrow3(dst, row, f, x0, x1)
		case f.taps == 4:
			hrow4(dst, row, f, x0, x1)
		default:
			hrowFixed(dst, row, f, x0, x1)
		}
	}
	return out
}

// hTable lays out one horizontal pass over output columns [x0, x1) by
// output byte o = 3*(x-x0)+ch, in chunks of 8 bytes: the offset
// 3*start[x]+ch of its first tap in the source row, then its taps weights
// (a tap j reads the byte at offset+3j). need is how many bytes from a
// row's start the kernel may read for the full chunks: the last tap's
// offset plus 4, as it reads a dword.
type hTable struct {
	taps int
	tab  []int32 // per chunk: 8 offsets, then taps groups of 8 weights
	need int
}

func newHTable(f fixedTaps, x0, x1 int) *hTable {
	n := 3 * (x1 - x0)
	chunks := (n + 7) / 8
	t := &hTable{taps: f.taps, tab: make([]int32, chunks*8*(1+f.taps))}
	for o := range n {
		x, ch := x0+o/3, o%3
		c, l := o/8, o%8
		base := c * 8 * (1 + f.taps)
		off := 3*f.start[x] + ch
		t.tab[base+l] = int32(off)
		for j := range f.taps {
			t.tab[base+8*(1+j)+l] = f.k[x*f.taps+j]
		}
		if o < n/8*8 {
			t.need = max(t.need, off+3*(f.taps-1)+4)
		}
	}
	return t
}

// hrowTable computes output bytes [from, len(dst)) of one row from its
// table: dst[o] = clip8(half + Σ_j row[offset(o)+3j] * w_j(o)), the loop
// the horizontal kernel runs.
func hrowTable(dst, row []uint8, t *hTable, from int) {
	for o := from; o < len(dst); o++ {
		base := o / 8 * 8 * (1 + t.taps)
		l := o % 8
		off := int(t.tab[base+l])
		s := half
		for j := range t.taps {
			s += int32(row[off+3*j]) * t.tab[base+8*(1+j)+l]
		}
		dst[o] = clip8(s)
	}
}

// fixedTaps are coeffs with every output's taps padded with zero weights
// to the same count, its window moved left where it would end past the
// input: the integer sums, and so the results, are unchanged.
type fixedTaps struct {
	taps  int
	start []int
	k     []int32
}

// fixed returns c as fixedTaps of its largest tap count (at least 3), or
// k == nil when the input is shorter than that.
func (c coeffs) fixed(in int) fixedTaps {
	n := max(3, slices.Max(c.n))
	f := fixedTaps{taps: n}
	if in < n {
		return f
	}
	f.start = make([]int, len(c.start))
	f.k = make([]int32, len(c.start)*n)
	for i, s := range c.start {
		s0 := min(s, in-n)
		f.start[i] = s0
		copy(f.k[i*n+s-s0:], c.k[i*c.ksize:i*c.ksize+c.n[i]])
	}
	return f
}

// half is the rounding term every resampling sum starts from.
const half = int32(1 << (precisionBits - 1))

// hrow resamples one row: dst[3*(x-x0)+ch] for x in [x0, x1).
func hrow(dst, row []uint8, c coeffs, x0, x1 int) {
	for x := x0; x < x1; x++ {
		k := c.k[x*c.ksize : x*c.ksize+c.n[x]]
		hpixel(dst[3*(x-x0):], row[3*c.start[x]:], k)
	}
}

// hrowFixed is hrow over fixedTaps.
func hrowFixed(dst, row []uint8, f fixedTaps, x0, x1 int) {
	n := f.taps
	for x := x0; x < x1; x++ {
		hpixel(dst[3*(x-x0):], row[3*f.start[x]:], f.k[x*n:x*n+n])
	}
}

// hpixel writes the pixel at d[:3]: each channel clip8(half + Σ_j
// s[3j+ch]*k[j]).
func hpixel(d, s []uint8, k []int32) {
	s = s[:3*len(k)]
	r, g, b := half, half, half
	for j, kj := range k {
		p := s[3*j : 3*j+3 : 3*j+3]
		r += int32(p[0]) * kj
		g += int32(p[1]) * kj
		b += int32(p[2]) * kj
	}
	d = d[:3:3]
	d[0], d[1], d[2] = clip8(r), clip8(g), clip8(b)
}

// hrow3 is hrowFixed for 3 taps (enlarging).
func hrow3(dst, row []uint8, f fixedTaps, x0, x1 int) {
	for x := x0; x < x1; x++ {
		k := (*[3]int32)(f.k[x*3:])
		s := (*[9]uint8)(row[3*f.start[x]:])
		d := (*[3]uint8)(dst[3*(x-x0):])
		k0, k1, k2 := k[0], k[1], k[2]
		d[0] = clip8(half + int32(s[0])*k0 + int32(s[3])*k1 + int32(s[6])*k2)
		d[1] = clip8(half + int32(s[1])*k0 + int32(s[4])*k1 + int32(s[7])*k2)
		d[2] = clip8(half + int32(s[2])*k0 + int32(s[5])*k1 + int32(s[8])*k2)
	}
}

// hrow4 is hrowFixed for 4 taps (shrinking by up to 1.5).
func hrow4(dst, row []uint8, f fixedTaps, x0, x1 int) {
	for x := x0; x < x1; x++ {
		k := (*[4]int32)(f.k[x*4:])
		s := (*[12]uint8)(row[3*f.start[x]:])
		d := (*[3]uint8)(dst[3*(x-x0):])
		k0, k1, k2, k3 := k[0], k[1], k[2], k[3]
		d[0] = clip8(half + int32(s[0])*k0 + int32(s[3])*k1 + int32(s[6])*k2 + int32(s[9])*k3)
		d[1] = clip8(half + int32(s[1])*k0 + int32(s[4])*k1 + int32(s[7])*k2 + int32(s[10])*k3)
		d[2] = clip8(half + int32(s[2])*k0 + int32(s[5])*k1 + int32(s[8])*k2 + int32(s[11])*k3)
	}
}

// verticalRows is vertical for output rows [y0, y1) only.
func verticalRows(src *RGB, c coeffs, y0, y1 int) *RGB {
	stride := 3 * src.W
	out := NewRGB(src.W, y1-y0)
	n := max(3, slices.Max(c.n))
	asm := resizeAsm.Get()
	if asm != nil && n <= 4 {
		n = 4
	}
	rows := make([][]uint8, n)
	k := make([]int32, n)
	ptrs := new([4]*uint8) // rows for the kernel
	for y := y0; y < y1; y++ {
		// Taps past n[y] read the first row with weight 0.
		clear(k)
		copy(k, c.k[y*c.ksize:y*c.ksize+c.n[y]]) // n[y] <= n
		for j := range rows {
			r := c.start[y] + j
			if j >= c.n[y] {
				r = c.start[y]
			}
			rows[j] = src.Pix[r*stride : (r+1)*stride]
		}
		dst := out.Pix[(y-y0)*stride : (y-y0+1)*stride]
		done := 0
		if n == 4 && asm != nil && stride >= 8 {
			done = stride / 8 * 8
			for j := range ptrs {
				ptrs[j] = &rows[j][0]
			}
			asm.vert4(&dst[0], ptrs, (*[4]int32)(k), done)
		}
		vrow(dst[done:], rows, k, done)
	}
	return out
}

// vrow computes bytes [from, from+len(dst)) of one output row of the
// vertical pass: dst[i-from] = clip8(half + Σ_j rows[j][i]*k[j]).
func vrow(dst []uint8, rows [][]uint8, k []int32, from int) {
	switch len(k) {
	case 3:
		r0, r1, r2 := rows[0][from:][:len(dst)], rows[1][from:][:len(dst)], rows[2][from:][:len(dst)]
		k0, k1, k2 := k[0], k[1], k[2]
		for i := range dst {
			dst[i] = clip8(half + int32(r0[i])*k0 + int32(r1[i])*k1 + int32(r2[i])*k2)
		}
	case 4:
		r0, r1, r2, r3 := rows[0][from:][:len(dst)], rows[1][from:][:len(dst)], rows[2][from:][:len(dst)], rows[3][from:][:len(dst)]
		k0, k1, k2, k3 := k[0], k[1], k[2], k[3]
		for i := range dst {
			dst[i] = clip8(half + int32(r0[i])*k0 + int32(r1[i])*k1 + int32(r2[i])*k2 + int32(r3[i])*k3)
		}
	default:
		for i := range dst {
			s := half
			for j, kj := range k {
				s += int32(rows[j][from+i]) * kj
			}
			dst[i] = clip8(s)
		}
	}
}
