package nn

import (
	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/tensor"
)

// ReLU is torch.nn.ReLU: y = max(0, x) elementwise, x of any shape.
// With Fused set, the layer before it (Conv2d or Linear with ReLU set)
// has applied it already and Forward returns x itself.
type ReLU struct {
	Fused bool
	out   *tensor.Tensor
}

// Params returns nil.
func (*ReLU) Params() []Param { return nil }

// OutputShape returns in.
func (*ReLU) OutputShape(in []int) ([]int, error) { return append([]int(nil), in...), nil }

// Forward applies kernels.ReLU.
func (l *ReLU) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	if err := checkData("nn.ReLU", x); err != nil {
		return nil, err
	}
	if l.Fused {
		return x, nil
	}
	y := reuse(&l.out, x.Shape)
	kernels.ReLU(x.Data, y.Data)
	return y, nil
}
