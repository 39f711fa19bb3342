package imageproc

import (
	"image"
	"slices"
)

// ResizeCrop is CenterCrop(Resize(src, size), crop) computed for the crop
// only: each pixel inside the crop is resampled with the coefficients of
// the whole resize and summed in the same order, so the result is byte for
// byte the same, without the work on the pixels the crop drops (about 40%
// of a 4:3 photo). size <= 0 means no resize and crop <= 0 no crop. A crop
// larger than the resized image (which pads) goes through Resize and
// CenterCrop. A nil or malformed src gives nil.
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
		return m
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
	return Crop(out, image.Rect(r.Min.X-x0, 0, r.Max.X-x0, out.H))
}

// horizontalCols is horizontal for output columns [x0, x1) only: rows
// [first, last) of src resampled with c, an image (x1-x0)×(last-first).
func horizontalCols(src *RGB, c coeffs, first, last, x0, x1 int) *RGB {
	out := NewRGB(x1-x0, last-first)
	f := c.fixed(src.W)
	for y := first; y < last; y++ {
		row := src.Pix[3*y*src.W : 3*(y+1)*src.W]
		dst := out.Pix[3*(y-first)*out.W : 3*(y-first+1)*out.W]
		switch {
		case f.k == nil:
			hrow(dst, row, c, x0, x1)
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
		s := row[3*c.start[x]:]
		s = s[:3*len(k)]
		r, g, b := half, half, half
		for j, kj := range k {
			p := s[3*j : 3*j+3 : 3*j+3]
			r += int32(p[0]) * kj
			g += int32(p[1]) * kj
			b += int32(p[2]) * kj
		}
		d := dst[3*(x-x0) : 3*(x-x0)+3 : 3*(x-x0)+3]
		d[0], d[1], d[2] = clip8(r), clip8(g), clip8(b)
	}
}

// hrowFixed is hrow over fixedTaps.
func hrowFixed(dst, row []uint8, f fixedTaps, x0, x1 int) {
	n := f.taps
	for x := x0; x < x1; x++ {
		k := f.k[x*n : x*n+n]
		s := row[3*f.start[x] : 3*(f.start[x]+n)]
		r, g, b := half, half, half
		for j, kj := range k {
			p := s[3*j : 3*j+3 : 3*j+3]
			r += int32(p[0]) * kj
			g += int32(p[1]) * kj
			b += int32(p[2]) * kj
		}
		d := dst[3*(x-x0) : 3*(x-x0)+3 : 3*(x-x0)+3]
		d[0], d[1], d[2] = clip8(r), clip8(g), clip8(b)
	}
}

// hrow3 is hrowFixed for 3 taps (enlarging).
func hrow3(dst, row []uint8, f fixedTaps, x0, x1 int) {
	for x := x0; x < x1; x++ {
		k := f.k[x*3 : x*3+3 : x*3+3]
		s := row[3*f.start[x] : 3*f.start[x]+9 : 3*f.start[x]+9]
		d := dst[3*(x-x0) : 3*(x-x0)+3 : 3*(x-x0)+3]
		for ch := range 3 {
			d[ch] = clip8(half + int32(s[ch])*k[0] + int32(s[3+ch])*k[1] + int32(s[6+ch])*k[2])
		}
	}
}

// hrow4 is hrowFixed for 4 taps (shrinking by up to 1.5).
func hrow4(dst, row []uint8, f fixedTaps, x0, x1 int) {
	for x := x0; x < x1; x++ {
		k := f.k[x*4 : x*4+4 : x*4+4]
		s := row[3*f.start[x] : 3*f.start[x]+12 : 3*f.start[x]+12]
		d := dst[3*(x-x0) : 3*(x-x0)+3 : 3*(x-x0)+3]
		for ch := range 3 {
			d[ch] = clip8(half + int32(s[ch])*k[0] + int32(s[3+ch])*k[1] + int32(s[6+ch])*k[2] + int32(s[9+ch])*k[3])
		}
	}
}

// verticalRows is vertical for output rows [y0, y1) only.
func verticalRows(src *RGB, c coeffs, y0, y1 int) *RGB {
	stride := 3 * src.W
	out := NewRGB(src.W, y1-y0)
	n := max(3, slices.Max(c.n))
	rows := make([][]uint8, n)
	k := make([]int32, n)
	for y := y0; y < y1; y++ {
		// Taps past n read the first row with weight 0.
		clear(k)
		copy(k, c.k[y*c.ksize:y*c.ksize+c.n[y]]) // n[y] <= n
		for j := range rows {
			r := c.start[y] + j
			if j >= c.n[y] {
				r = c.start[y]
			}
			rows[j] = src.Pix[r*stride : (r+1)*stride]
		}
		vrow(out.Pix[(y-y0)*stride:(y-y0+1)*stride], rows, k)
	}
	return out
}

// vrow computes one output row of the vertical pass: dst[i] =
// clip8(half + Σ_j rows[j][i]*k[j]).
func vrow(dst []uint8, rows [][]uint8, k []int32) {
	switch len(k) {
	case 3:
		r0, r1, r2 := rows[0][:len(dst)], rows[1][:len(dst)], rows[2][:len(dst)]
		k0, k1, k2 := k[0], k[1], k[2]
		for i := range dst {
			dst[i] = clip8(half + int32(r0[i])*k0 + int32(r1[i])*k1 + int32(r2[i])*k2)
		}
	case 4:
		r0, r1, r2, r3 := rows[0][:len(dst)], rows[1][:len(dst)], rows[2][:len(dst)], rows[3][:len(dst)]
		k0, k1, k2, k3 := k[0], k[1], k[2], k[3]
		for i := range dst {
			dst[i] = clip8(half + int32(r0[i])*k0 + int32(r1[i])*k1 + int32(r2[i])*k2 + int32(r3[i])*k3)
		}
	default:
		for i := range dst {
			s := half
			for j, kj := range k {
				s += int32(rows[j][i]) * kj
			}
			dst[i] = clip8(s)
		}
	}
}
