package qmodel

import (
	"fmt"
	"slices"

	"github.com/alexnet-go/alexnet/nn"
	"github.com/alexnet-go/alexnet/quant"
	"github.com/alexnet-go/alexnet/tensor"
)

// linear is an int8 Linear: x is (N,In), y (N,Out).
type linear struct {
	*gemm
	nIn, nOut int
}

func newLinear(l *quant.Layer, c *nn.Linear, threads int) (*linear, error) {
	if !slices.Equal(l.Shape, []int{c.Out, c.In}) {
		return nil, &UnsupportedError{l.Name, fmt.Sprintf("weight shape %v, want %v", l.Shape, c.Weight.Shape)}
	}
	g, err := newGemm(l, c.In, threads, c.ReLU)
	if err != nil {
		return nil, err
	}
	return &linear{gemm: g, nIn: c.In, nOut: c.Out}, nil
}

func (l *linear) forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	if len(x.Shape) != 2 || x.Shape[1] != l.nIn {
		return nil, &tensor.ShapeError{Op: "qmodel.linear", Got: x.Shape, Msg: fmt.Sprintf("want (N, %d)", l.nIn)}
	}
	n := x.Shape[0]
	l.a = grow(l.a, len(x.Data))
	parallel(len(x.Data), l.threads, func(lo, hi int) { quant.QuantizeSlice(l.a[lo:hi], x.Data[lo:hi], l.in) })
	if err := l.run(n); err != nil {
		return nil, err
	}
	return tensor.FromData(slices.Clone(l.y), n, l.nOut)
}
