package nn

import (
	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/tensor"
)

// Backward is the gradient of Forward: x is (N,C,H,W), dy (N,C,OH,OW);
// dx (N,C,H,W) gets each dy at its window's first maximum in x, as
// PyTorch routes it (kernels.MaxPool2dBackwardThreads over the N*C
// planes). y, Forward's output for x, may be nil; given, it locates each
// maximum faster (the same positions).
func (l *MaxPool2d) Backward(x, y, dy *tensor.Tensor, g *Grads) (*tensor.Tensor, error) {
	shape, err := checkBackward("nn.MaxPool2d backward", l, x, y, dy, false)
	if err != nil {
		return nil, err
	}
	var yData []float32
	if y != nil {
		if err := checkData("nn.MaxPool2d backward y", y); err != nil {
			return nil, err
		}
		if !tensor.SameShape(y.Shape, shape) {
			return nil, &tensor.ShapeError{Op: "nn.MaxPool2d backward y", Got: y.Shape, Want: shape}
		}
		yData = y.Data
	}
	dx := g.buffer(l, slotDx, x.Shape)
	if xe := l.extended(x, &l.padded); xe != x {
		// Ceil: the gradient of the extended input, cropped (no window's
		// maximum is in the -inf border unless the window is all -inf).
		dxe := g.buffer(l, slotDxExt, xe.Shape)
		kernels.MaxPool2dBackwardThreads(l.geom(xe.Shape), xe.Data, yData, dy.Data, dxe.Data, l.Threads)
		h, w, we := x.Shape[2], x.Shape[3], xe.Shape[3]
		for pl := 0; pl < x.Shape[0]*x.Shape[1]; pl++ {
			for r := 0; r < h; r++ {
				copy(dx.Data[(pl*h+r)*w:(pl*h+r+1)*w], dxe.Data[(pl*xe.Shape[2]+r)*we:])
			}
		}
		return dx, nil
	}
	kernels.MaxPool2dBackwardThreads(l.geom(x.Shape), x.Data, yData, dy.Data, dx.Data, l.Threads)
	return dx, nil
}
