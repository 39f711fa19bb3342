package nn

import "github.com/alexnet-go/alexnet/tensor"

// Dropout is torch.nn.Dropout(P) in eval mode: the identity, x of any
// shape. P is kept for training and summaries.
type Dropout struct{ P float32 }

// Params returns nil.
func (*Dropout) Params() []Param { return nil }

// OutputShape returns in.
func (*Dropout) OutputShape(in []int) ([]int, error) { return append([]int(nil), in...), nil }

// Forward returns x itself.
func (*Dropout) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	if err := checkData("nn.Dropout", x); err != nil {
		return nil, err
	}
	return x, nil
}
