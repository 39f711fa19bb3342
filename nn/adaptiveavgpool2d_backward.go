package nn

import (
	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/tensor"
)

// Backward is the gradient of Forward: x is (N,C,H,W), dy (N,C,OutH,OutW);
// each dy is spread evenly over its window of dx (N,C,H,W)
// (kernels.AdaptiveAvgPool2dBackwardThreads over the N*C planes). x's
// data and y are not read.
func (l *AdaptiveAvgPool2d) Backward(x, y, dy *tensor.Tensor, g *Grads) (*tensor.Tensor, error) {
	dx, err := backwardDx("nn.AdaptiveAvgPool2d backward", l, x, y, dy, false, g)
	if err != nil {
		return nil, err
	}
	kernels.AdaptiveAvgPool2dBackwardThreads(x.Shape[0]*x.Shape[1], x.Shape[2], x.Shape[3], l.OutH, l.OutW, dy.Data, dx.Data, l.Threads)
	return dx, nil
}
