package nn

import "github.com/alexnet-go/alexnet/tensor"

// Flatten is torch.flatten(x, 1): x is (N, d1, d2, ...), y is
// (N, d1*d2*...), sharing x's data.
type Flatten struct{}

// Params returns nil.
func (Flatten) Params() []Param { return nil }

// OutputShape returns (N, product of the other dimensions).
func (Flatten) OutputShape(in []int) ([]int, error) {
	if len(in) < 1 {
		return nil, &tensor.ShapeError{Op: "nn.Flatten", Got: in, Msg: "want (N, ...)"}
	}
	return []int{in[0], tensor.Numel(in[1:])}, nil
}

// Forward reshapes x without copying.
func (f Flatten) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	if err := checkData("nn.Flatten", x); err != nil {
		return nil, err
	}
	shape, err := f.OutputShape(x.Shape)
	if err != nil {
		return nil, err
	}
	return x.Reshape(shape...)
}
