package nn

import (
	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/tensor"
)

// Softmax is torch.nn.Softmax(dim=1) on x of shape (N, K): each row of y
// is exp(x - max) / sum exp(x - max).
type Softmax struct{ out *tensor.Tensor }

// Params returns nil.
func (*Softmax) Params() []Param { return nil }

// OutputShape returns in, which must be (N, K).
func (*Softmax) OutputShape(in []int) ([]int, error) {
	if len(in) != 2 {
		return nil, &tensor.ShapeError{Op: "nn.Softmax", Got: in, Msg: "want (N, K)"}
	}
	return append([]int(nil), in...), nil
}

// Forward applies kernels.Softmax row by row.
func (l *Softmax) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	y, err := forwardOut("nn.Softmax", l, x, &l.out)
	if err != nil {
		return nil, err
	}
	kernels.Softmax(x.Shape[0], x.Shape[1], x.Data, y.Data)
	return y, nil
}
