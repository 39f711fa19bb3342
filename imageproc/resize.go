package imageproc

import "math"

// precisionBits is Pillow's PRECISION_BITS (32 - 8 - 2): coefficients are
// fixed point with 22 fractional bits.
const precisionBits = 22

// ResizeShape returns torchvision 0.14's output size for Resize(size) on a
// w×h image (_compute_resized_output_size with one int): the shorter side
// becomes size and the longer int(size * long / short), computed in
// float64 and truncated, as Python does.
func ResizeShape(w, h, size int) (nw, nh int) {
	short, long := w, h
	if w > h {
		short, long = h, w
	}
	if short <= 0 {
		return w, h
	}
	nl := int(float64(size) * float64(long) / float64(short))
	if w <= h {
		return size, nl
	}
	return nl, size
}

// Resize is torchvision 0.14's transforms.Resize(size) on a PIL image:
// the shorter side becomes size (see ResizeShape). An image already of
// that shape is returned as is (torchvision returns the same object);
// otherwise the result is a new image from ResizeTo. A nil or malformed
// src, or size <= 0, gives nil.
func Resize(src *RGB, size int) *RGB {
	if !src.valid() || size <= 0 || src.W == 0 || src.H == 0 {
		return nil
	}
	w, h := ResizeShape(src.W, src.H, size)
	if w == src.W && h == src.H {
		return src
	}
	return ResizeTo(src, w, h)
}

// ResizeTo is Pillow 9.4's Image.resize((w, h), Image.BILINEAR) for mode
// "RGB" (libImaging/Resample.c, ImagingResampleInner): a separable,
// antialiased triangle filter. For each axis with scale = in/out and
// fs = max(scale, 1), output i is centred at c = (i+0.5)*scale and reads
// inputs j in [int(c-fs+0.5), int(c+fs+0.5)) clamped to the image, with
// weight max(0, 1-|(j-c+0.5)/fs|) normalised to sum 1 and rounded away
// from zero to a fixed-point integer with 22 fractional bits. The
// horizontal pass runs first (only when the width changes), over the
// source rows the vertical pass needs, each output byte being
// clip8((1<<21 + Σ pixel*weight) >> 22); the vertical pass (only when
// the height changes) does the same down the columns of that result.
// Same-size input is copied. w or h <= 0, or a malformed src, gives nil.
func ResizeTo(src *RGB, w, h int) *RGB {
	if !src.valid() || w <= 0 || h <= 0 || src.W == 0 || src.H == 0 {
		return nil
	}
	vert := newCoeffs(src.H, h)
	cur := src
	if w != src.W {
		// Only rows [first, last) feed the vertical pass.
		first := vert.start[0]
		last := vert.start[h-1] + vert.n[h-1]
		if h == src.H {
			first, last = 0, src.H
		}
		cur = horizontal(src, newCoeffs(src.W, w), first, last)
		for i := range vert.start {
			vert.start[i] -= first
		}
	}
	if h != src.H {
		cur = vertical(cur, vert)
	}
	if cur == src {
		cur = &RGB{W: src.W, H: src.H, Pix: append([]uint8(nil), src.Pix...)}
	}
	return cur
}

// coeffs holds, for each output index i, the first input index start[i],
// the tap count n[i], and k[i*ksize : i*ksize+n[i]], the fixed-point
// weights (Resample.c precompute_coeffs + normalize_coeffs_8bpc).
type coeffs struct {
	ksize    int
	start, n []int
	k        []int32
}

func newCoeffs(in, out int) coeffs {
	scale := float64(in) / float64(out)
	fs := max(scale, 1.0)
	support := 1.0 * fs // bilinear support is 1
	ksize := int(math.Ceil(support))*2 + 1
	c := coeffs{ksize: ksize, start: make([]int, out), n: make([]int, out), k: make([]int32, out*ksize)}
	w := make([]float64, ksize)
	ss := 1.0 / fs
	for i := 0; i < out; i++ {
		center := (float64(i) + 0.5) * scale
		lo := int(center - support + 0.5) // C (int): truncation toward zero
		lo = max(lo, 0)
		hi := min(int(center+support+0.5), in)
		n := hi - lo
		sum := 0.0
		for j := 0; j < n; j++ {
			x := (float64(j+lo) - center + 0.5) * ss
			v := 0.0
			if x < 0 {
				x = -x
			}
			if x < 1 {
				v = 1 - x
			}
			w[j] = v
			sum += v
		}
		k := c.k[i*ksize : i*ksize+ksize]
		for j := 0; j < n; j++ {
			v := w[j]
			if sum != 0 {
				v /= sum
			}
			if v < 0 {
				k[j] = int32(-0.5 + v*(1<<precisionBits))
			} else {
				k[j] = int32(0.5 + v*(1<<precisionBits))
			}
		}
		c.start[i], c.n[i] = lo, n
	}
	return c
}

// clip8 is Resample.c's clip8: the accumulator's integer part clamped to
// [0, 255].
func clip8(v int32) uint8 {
	v >>= precisionBits
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}

// horizontal resamples rows [first, last) of src to width len(c.start).
func horizontal(src *RGB, c coeffs, first, last int) *RGB {
	return horizontalCols(src, c, first, last, 0, len(c.start))
}

// vertical resamples the columns of src to height len(c.start); each
// output row is a running sum over its source rows, so the inner loop
// walks rows contiguously.
func vertical(src *RGB, c coeffs) *RGB {
	return verticalRows(src, c, 0, len(c.start))
}
