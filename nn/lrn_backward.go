package nn

import (
	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/tensor"
)

// Backward is the gradient of Forward: x, dy and dx are (N,C,...), dx
// from PyTorch's formula (kernels.LRNBackwardThreads over the N
// images). y is not read.
func (l *LocalResponseNorm) Backward(x, y, dy *tensor.Tensor, g *Grads) (*tensor.Tensor, error) {
	dx, err := backwardDx("nn.LocalResponseNorm backward", l, x, y, dy, false, g, l.validate)
	if err != nil {
		return nil, err
	}
	kernels.LRNBackwardThreads(x.Shape[0], x.Shape[1], tensor.Numel(x.Shape[2:]), l.Size, l.Alpha, l.Beta, l.K, x.Data, dy.Data, dx.Data, l.Threads)
	return dx, nil
}
