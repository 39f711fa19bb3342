package nn

import "github.com/alexnet-go/alexnet/tensor"

// Backward is the gradient of Forward: dy (N, d1*d2*...) reshaped to x's
// shape, sharing dy's data. y is not read.
func (f Flatten) Backward(x, y, dy *tensor.Tensor, g *Grads) (*tensor.Tensor, error) {
	if _, err := checkBackward("nn.Flatten backward", f, x, y, dy, false); err != nil {
		return nil, err
	}
	return dy.Reshape(x.Shape...)
}
