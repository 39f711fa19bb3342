package nn

import (
	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/tensor"
)

// Backward is the gradient of Forward from its output: x, y, dy and dx
// are (N,K), dx = y·(dy - Σ dy·y) row by row (kernels.SoftmaxBackward).
func (l *Softmax) Backward(x, y, dy *tensor.Tensor, g *Grads) (*tensor.Tensor, error) {
	dx, err := backwardDx("nn.Softmax backward", l, x, y, dy, true, g)
	if err != nil {
		return nil, err
	}
	kernels.SoftmaxBackward(x.Shape[0], x.Shape[1], y.Data, dy.Data, dx.Data)
	return dx, nil
}
