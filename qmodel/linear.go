package qmodel

import (
	"fmt"
	"slices"

	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/nn"
	"github.com/alexnet-go/alexnet/quant"
	"github.com/alexnet-go/alexnet/tensor"
)

// linear is an int8 Linear: x is (N,In), y (N,Out). One GEMM over the
// batch, its columns split over the goroutines; at batch 1 it streams the
// int8 weights once.
type linear struct {
	*gemm
	nIn, nOut int
	in, out   qtensor // the quantized input when given float32; the uint8 output
	c         []int32
}

func newLinear(l *quant.Layer, c *nn.Linear, threads int) (*linear, error) {
	if !slices.Equal(l.Shape, []int{c.Out, c.In}) || len(l.Weight) != c.Out*c.In {
		return nil, &UnsupportedError{l.Name, fmt.Sprintf("weight shape %v, want %v", l.Shape, c.Weight.Shape)}
	}
	g, err := newGemm(l, l.Weight, c.In, threads, c.ReLU)
	if err != nil {
		return nil, err
	}
	return &linear{gemm: g, nIn: c.In, nOut: c.Out}, nil
}

// input returns v as the layer's uint8 (N, In) input: v's own when it is
// flat and quantized with the layer's input quantizer, else a copy
// quantized into l.in.
func (l *linear) input(v value) (*qtensor, error) {
	if q := v.q; q != nil {
		if q.h == 1 && q.w == 1 && q.pad == 0 && q.p == l.gemm.in && q.c == l.nIn {
			return q, nil
		}
		v = value{f: q.dequantize(true)}
	}
	x := v.f
	if len(x.Shape) < 2 || x.Shape[0] == 0 || len(x.Data)/x.Shape[0] != l.nIn {
		return nil, &tensor.ShapeError{Op: "qmodel.linear", Got: x.Shape, Msg: fmt.Sprintf("want (N, %d)", l.nIn)}
	}
	flat := &tensor.Tensor{Shape: []int{x.Shape[0], l.nIn}, Data: x.Data}
	quantizeInto(&l.in, flat, l.gemm.in, 0, l.threads)
	return &l.in, nil
}

func (l *linear) forward(v value) (value, error) {
	x, err := l.input(v)
	if err != nil {
		return value{}, err
	}
	n := x.n
	l.c = grow(l.c, n*l.nOut)
	g := &kernels.GemmI8{M: n, N: l.nOut, K: l.nIn, A: x.data, LDA: l.nIn, B: l.w, C: l.c, LDC: l.nOut, Threads: l.threads}
	if err := kernels.I8Gemm(g); err != nil {
		return value{}, err
	}
	if t := l.gemm.out; t.q {
		l.out.reshape(n, l.nOut, 1, 1, 0, t.p)
		kernels.ParFor(n, 1, l.threads, func(lo, hi int) {
			kernels.RequantizeU8(l.out.data[lo*l.nOut:], l.nOut, l.c[lo*l.nOut:], l.nOut, hi-lo, l.nOut, &l.rq)
		})
		return value{q: &l.out}, nil
	}
	y := tensor.New(n, l.nOut)
	kernels.ParFor(n, 1, l.threads, func(lo, hi int) {
		kernels.DequantizeF32(y.Data[lo*l.nOut:], l.nOut, l.c[lo*l.nOut:], l.nOut, hi-lo, l.nOut, &l.rq)
	})
	return value{f: y}, nil
}
