package qmodel

import (
	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/nn"
)

// maxPool is a MaxPool2d that runs on uint8 activations as they are (max
// commutes with the monotone quantizer), writing its output with the
// border the next convolution reads; float32 activations go to the float
// layer.
type maxPool struct {
	float   *nn.MaxPool2d
	pad     int // the border of the output
	threads int
	out     qtensor
}

func (l *maxPool) forward(v value) (value, error) {
	x := v.q
	if x == nil {
		y, err := l.float.Forward(v.f)
		return value{f: y}, err
	}
	k, s := l.float.Kernel, l.float.Stride
	shape, err := l.float.OutputShape([]int{x.n, x.c, x.h, x.w})
	if err != nil {
		return value{}, err
	}
	oh, ow, c := shape[2], shape[3], x.c
	l.out.reshape(x.n, c, oh, ow, l.pad, x.p)
	kernels.ParFor(x.n*oh, 1, l.threads, func(lo, hi int) {
		col := make([]uint8, x.w*c)
		for r := lo; r < hi; r++ {
			i, oy := r/oh, r%oh
			// The max over the k rows of the window, then over k pixels.
			// With Ceil the last windows are cut at the input's end.
			copy(col, x.at(i, oy*s, 0)[:x.w*c])
			for ky := 1; ky < k && oy*s+ky < x.h; ky++ {
				kernels.MaxU8(col, col, x.at(i, oy*s+ky, 0))
			}
			for ox := range ow {
				dst, win := l.out.at(i, oy, ox)[:c], col[ox*s*c:]
				copy(dst, win)
				for kx := 1; kx < k && ox*s+kx < x.w; kx++ {
					kernels.MaxU8(dst, dst, win[kx*c:])
				}
			}
		}
	})
	return value{q: &l.out}, nil
}

// avgPool is an AdaptiveAvgPool2d: uint8 activations whose size is its
// output size (AlexNet's 6×6 at 224×224) pass as they are; others are
// averaged in float32.
type avgPool struct {
	float *nn.AdaptiveAvgPool2d
}

func (l *avgPool) forward(v value) (value, error) {
	if q := v.q; q != nil {
		if q.h == l.float.OutH && q.w == l.float.OutW {
			return v, nil
		}
		v = value{f: q.dequantize(false)}
	}
	y, err := l.float.Forward(v.f)
	return value{f: y}, err
}

// floatOp is a layer that runs in float32 (local response normalization,
// a ReLU that no layer before it applies, a layer kept in float32): uint8
// activations are dequantized for it.
type floatOp struct {
	layer nn.Layer
}

func (l *floatOp) forward(v value) (value, error) {
	x := v.f
	if x == nil {
		x = v.q.dequantize(false)
	}
	y, err := l.layer.Forward(x)
	return value{f: y}, err
}
