package nn

import (
	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/tensor"
)

// Backward is the gradient of Forward: x is (N,C,H,W), dy (N,C,OH,OW);
// dx (N,C,H,W) gets each dy at its window's first maximum in x, as
// PyTorch routes it (kernels.MaxPool2dBackwardThreads over the N*C
// planes). y is not read.
func (l *MaxPool2d) Backward(x, y, dy *tensor.Tensor, g *Grads) (*tensor.Tensor, error) {
	if _, err := checkBackward("nn.MaxPool2d backward", l, x, y, dy, false); err != nil {
		return nil, err
	}
	dx := g.buffer(l, slotDx, x.Shape)
	kernels.MaxPool2dBackwardThreads(l.geom(x.Shape), x.Data, dy.Data, dx.Data, l.Threads)
	return dx, nil
}
