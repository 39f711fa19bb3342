package nn

import (
	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/tensor"
)

// Backward is the gradient of the last ForwardTrain, which must be the
// layer's last forward call (after a Forward, or none, it returns a
// *ConfigError): x is that call's input, and y (read only with ReLU set)
// and dy are (N,C,H,W). With ReLU set, dy is first zeroed where y is not
// positive (so y must be what ForwardTrain(x) returned). With m = N*H*W
// and x̂ = (x - mean)*invstd of that call, per channel, it adds Σ dy to
// g.Of(Bias) and Σ dy·x̂ to g.Of(Weight), and returns
//
//	dx = Weight·invstd/m · (m·dy − Σdy − x̂·Σ(dy·x̂))
//
// all with kernels.BatchNormBackward.
func (l *BatchNorm2d) Backward(x, y, dy *tensor.Tensor, g *Grads) (*tensor.Tensor, error) {
	const op = "nn.BatchNorm2d backward"
	if g == nil {
		return nil, errNoGrads("BatchNorm2d")
	}
	if _, err := checkBackward(op, l, x, y, dy, l.ReLU); err != nil {
		return nil, err
	}
	if err := l.check(op, x); err != nil {
		return nil, err
	}
	if l.trained == nil {
		return nil, &ConfigError{"BatchNorm2d", "Backward needs the batch statistics of a ForwardTrain as the last forward call"}
	}
	if !tensor.SameShape(x.Shape, l.trained) {
		return nil, &tensor.ShapeError{Op: op, Got: x.Shape, Want: l.trained, Msg: "not the shape of the last ForwardTrain's input"}
	}
	var yData []float32
	if l.ReLU {
		yData = y.Data
	}
	dx := g.buffer(l, slotDx, x.Shape)
	s := x.Shape
	kernels.BatchNormBackward(s[0], s[1], s[2]*s[3], x.Data, yData, dy.Data, l.mean, l.invstd, l.Weight.Data,
		g.Of(l.Weight).Data, g.Of(l.Bias).Data, dx.Data, l.Threads)
	return dx, nil
}
