package qmodel

import (
	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/quant"
	"github.com/alexnet-go/alexnet/tensor"
)

// value is what flows between the ops of a Model: float32 activations in
// NCHW (or (N, F)) as package nn takes them, or uint8 ones.
type value struct {
	f *tensor.Tensor // nil when q is set
	q *qtensor
}

// qtensor holds n uint8 images of c channels, h×w pixels, quantized with
// p, laid out NHWC with a border of pad pixels on every side that holds
// the zero point (the quantized 0.0: the zero padding of the convolution
// that reads it):
//
//	data[((i*(h+2*pad) + pad+y)*(w+2*pad) + pad+x)*c + ch] = q(image i, channel ch, pixel (y, x))
//
// Flattened activations, (N, F), the input of a linear layer, are h = w =
// 1, c = F, pad = 0, in NCHW flatten order.
type qtensor struct {
	data       []uint8
	n, c, h, w int
	pad        int
	p          quant.Params
}

// hp and wp are the padded height and width.
func (t *qtensor) hp() int { return t.h + 2*t.pad }
func (t *qtensor) wp() int { return t.w + 2*t.pad }

// at returns the bytes from pixel (y, x) of image i on, for −pad ≤ y <
// h+pad and −pad ≤ x < w+pad.
func (t *qtensor) at(i, y, x int) []uint8 {
	return t.data[((i*t.hp()+t.pad+y)*t.wp()+t.pad+x)*t.c:]
}

// reshape sets t's shape and parameters, reusing its buffer when it is
// large enough, and fills the border with the zero point.
func (t *qtensor) reshape(n, c, h, w, pad int, p quant.Params) {
	t.n, t.c, t.h, t.w, t.pad, t.p = n, c, h, w, pad, p
	t.data = grow(t.data, n*t.hp()*t.wp()*c)
	if pad == 0 {
		return
	}
	zp, side := uint8(p.ZeroPoint), pad*c
	for i := range n {
		for y := -pad; y < h+pad; y++ {
			if y < 0 || y >= h {
				fill(t.at(i, y, -pad)[:t.wp()*c], zp)
				continue
			}
			fill(t.at(i, y, -pad)[:side], zp)
			fill(t.at(i, y, w)[:side], zp)
		}
	}
}

// quantizeInto writes x, float32 (N,C,H,W) or (N,F), into t quantized with
// p, with a border of pad pixels, over threads goroutines.
func quantizeInto(t *qtensor, x *tensor.Tensor, p quant.Params, pad, threads int) {
	n, c, h, w := x.Shape[0], x.Shape[1], 1, 1
	if len(x.Shape) == 4 {
		h, w = x.Shape[2], x.Shape[3]
	}
	t.reshape(n, c, h, w, pad, p)
	inv := 1 / p.Scale
	if h == 1 && w == 1 && pad == 0 {
		kernels.ParFor(len(x.Data), kernels.ElementGrain, threads, func(lo, hi int) {
			kernels.QuantizeU8(t.data[lo:hi], x.Data[lo:hi], inv, p.ZeroPoint, p.QMin, p.QMax)
		})
		return
	}
	kernels.ParFor(n*h, 1, threads, func(lo, hi int) {
		row := make([]uint8, c*w)
		for r := lo; r < hi; r++ {
			i, y := r/h, r%h
			for ch := range c {
				src := x.Data[((i*c+ch)*h+y)*w:][:w]
				kernels.QuantizeU8(row[ch*w:(ch+1)*w], src, inv, p.ZeroPoint, p.QMin, p.QMax)
			}
			interleave(t.at(i, y, 0)[:w*c], row, c, w)
		}
	})
}

// interleave writes planes (c rows of w) as w pixels of c channels:
// dst[x*c+ch] = planes[ch*w+x].
func interleave(dst, planes []uint8, c, w int) {
	if c == 3 {
		kernels.Interleave3U8(dst, planes[:w], planes[w:2*w], planes[2*w:3*w])
		return
	}
	for ch := range c {
		for x, v := range planes[ch*w : (ch+1)*w] {
			dst[x*c+ch] = v
		}
	}
}

// dequantize returns t as float32 (N,C,H,W), or (N,F) when flat.
func (t *qtensor) dequantize(flat bool) *tensor.Tensor {
	shape := []int{t.n, t.c, t.h, t.w}
	if flat {
		shape = []int{t.n, t.c * t.h * t.w}
	}
	y := tensor.New(shape...)
	plane := t.h * t.w
	for i := range t.n {
		for yy := range t.h {
			src := t.at(i, yy, 0)
			for x := range t.w {
				for ch, v := range src[x*t.c : (x+1)*t.c] {
					y.Data[(i*t.c+ch)*plane+yy*t.w+x] = t.p.Dequantize(int32(v))
				}
			}
		}
	}
	return y
}

// flatten writes t's interior into dst in NCHW flatten order, as (N,
// C·H·W) with h = w = 1.
func (t *qtensor) flatten(dst *qtensor) {
	f, plane := t.c*t.h*t.w, t.h*t.w
	dst.reshape(t.n, f, 1, 1, 0, t.p)
	for i := range t.n {
		out := dst.data[i*f : (i+1)*f]
		for y := range t.h {
			src := t.at(i, y, 0)
			for x := range t.w {
				for ch, v := range src[x*t.c : (x+1)*t.c] {
					out[ch*plane+y*t.w+x] = v
				}
			}
		}
	}
}

// fill sets every element of s to v.
func fill(s []uint8, v uint8) {
	for i := range s {
		s[i] = v
	}
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
