package nn

import (
	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/tensor"
)

// Backward is the gradient of Forward: x is (N,InC,H,W), y and dy are
// (N,OutC,OH,OW). With ReLU set, dy is first zeroed where y is not
// positive (so y must be what Forward(x) returned). It adds ∂L/∂Weight and
// ∂L/∂Bias to g and returns dx (N,InC,H,W), all with
// kernels.ConvBackward.
func (l *Conv2d) Backward(x, y, dy *tensor.Tensor, g *Grads) (*tensor.Tensor, error) {
	dx, err := l.backward(x, y, dy, g, true)
	return dx, err
}

// BackwardParams is Backward without dx, for a first layer whose input
// needs no gradient.
func (l *Conv2d) BackwardParams(x, y, dy *tensor.Tensor, g *Grads) error {
	_, err := l.backward(x, y, dy, g, false)
	return err
}

func (l *Conv2d) backward(x, y, dy *tensor.Tensor, g *Grads, wantDx bool) (*tensor.Tensor, error) {
	dz, err := backwardDz("Conv2d", l, x, y, dy, g, l.ReLU, l.Threads, l.checkParams)
	if err != nil {
		return nil, err
	}
	var dx *tensor.Tensor
	var dxData []float32
	if wantDx {
		dx = g.buffer(l, slotDx, x.Shape)
		dxData = dx.Data
	}
	kernels.ConvBackward(l.geom(x.Shape), l.Algorithm, l.Groups, l.OutC, x.Data, l.Weight.Data, dz.Data,
		g.Of(l.Weight).Data, g.Of(l.Bias).Data, dxData, x.Shape[0], l.Threads)
	return dx, nil
}
