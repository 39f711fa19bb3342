package nn

import (
	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/tensor"
)

// Backward is the gradient of Forward: dx = dy where x > 0, else 0 (x, dy
// of one shape; y is not read). With Fused set the layer before applied the
// ReLU, and applies its gradient in its own Backward, so this returns dy
// itself.
func (l *ReLU) Backward(x, y, dy *tensor.Tensor, g *Grads) (*tensor.Tensor, error) {
	if _, err := checkBackward("nn.ReLU backward", l, x, y, dy, false); err != nil {
		return nil, err
	}
	if l.Fused {
		return dy, nil
	}
	dx := g.buffer(l, slotDx, x.Shape)
	kernels.ReLUBackward(x.Data, dy.Data, dx.Data)
	return dx, nil
}
