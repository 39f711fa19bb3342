package nn

import (
	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/tensor"
)

// Backwarder is a Layer with a backward pass. Every layer of this package
// implements it.
type Backwarder interface {
	Layer
	// Backward takes the input x of a Forward call, the y it returned
	// (still holding that result) and dy = ∂L/∂y, of y's shape. It adds
	// ∂L/∂p to g.Of(p) for each of the layer's parameters p, as PyTorch
	// accumulates into p.grad, and returns dx = ∂L/∂x, of x's shape, in a
	// buffer of g owned by the layer (overwritten by the layer's next
	// Backward with the same g) or, where the gradient passes through
	// unchanged, dy itself. Layers that do not read y (all but Conv2d,
	// Linear and BatchNorm2d with ReLU set, and Softmax) accept a nil y.
	// BatchNorm2d's Backward is that of its last ForwardTrain call.
	// Backward never writes x, y or dy.
	Backward(x, y, dy *tensor.Tensor, g *Grads) (*tensor.Tensor, error)
}

// Grads holds what backward passes produce: the gradient of each
// parameter, keyed by the parameter's tensor (Param.T, whose pointer stays
// the same for a layer's life), and the buffers the layers' Backward
// methods return, so that repeated steps do not allocate. The zero value
// is ready to use. A Grads is not safe for concurrent use.
type Grads struct {
	grad map[*tensor.Tensor]*tensor.Tensor
	bufs map[bufKey]*tensor.Tensor
}

// bufKey names one buffer: a layer and which of its buffers.
type bufKey struct {
	owner any
	slot  int
}

// Buffer slots of the layers.
const (
	slotDx    = iota // the returned dx
	slotDz           // dy masked by a fused ReLU
	slotDxExt        // MaxPool2d with Ceil: dx of the extended input
)

// NewGrads returns an empty Grads.
func NewGrads() *Grads { return &Grads{} }

// Of returns the gradient of parameter p, creating it as zeros of p's
// shape on first use.
func (g *Grads) Of(p *tensor.Tensor) *tensor.Tensor {
	if g.grad == nil {
		g.grad = make(map[*tensor.Tensor]*tensor.Tensor)
	}
	t, ok := g.grad[p]
	if !ok || !tensor.SameShape(t.Shape, p.Shape) {
		t = tensor.New(p.Shape...)
		g.grad[p] = t
	}
	return t
}

// Get returns the gradient of p, or nil if no Backward has added to it
// (PyTorch's p.grad is None).
func (g *Grads) Get(p *tensor.Tensor) *tensor.Tensor { return g.grad[p] }

// Zero sets every gradient to zero, keeping it allocated: PyTorch's
// optimizer.zero_grad(set_to_none=False).
func (g *Grads) Zero() { g.ZeroThreads(1) }

// ZeroThreads is Zero with each gradient cleared by threads goroutines
// (kernels.ClearThreads).
func (g *Grads) ZeroThreads(threads int) {
	for _, t := range g.grad {
		kernels.ClearThreads(t.Data, threads)
	}
}

// buffer returns owner's buffer in slot with the given shape, made anew
// when the shape changes; its content is stale. With a nil g it returns a
// new tensor.
func (g *Grads) buffer(owner any, slot int, shape []int) *tensor.Tensor {
	if g == nil {
		return tensor.New(shape...)
	}
	if g.bufs == nil {
		g.bufs = make(map[bufKey]*tensor.Tensor)
	}
	k := bufKey{owner, slot}
	t := g.bufs[k]
	if t == nil || !tensor.SameShape(t.Shape, shape) {
		t = tensor.New(shape...)
		g.bufs[k] = t
	}
	return t
}

// checkBackward checks x and dy against each other for l: x is a valid
// input, dy has the shape Forward(x) returns and, when needY, so has y.
// It returns that shape.
func checkBackward(op string, l Layer, x, y, dy *tensor.Tensor, needY bool) ([]int, error) {
	if err := checkData(op, x); err != nil {
		return nil, err
	}
	shape, err := l.OutputShape(x.Shape)
	if err != nil {
		return nil, err
	}
	if err := checkData(op+" dy", dy); err != nil {
		return nil, err
	}
	if !tensor.SameShape(dy.Shape, shape) {
		return nil, &tensor.ShapeError{Op: op + " dy", Got: dy.Shape, Want: shape}
	}
	if needY {
		if err := checkData(op+" y", y); err != nil {
			return nil, err
		}
		if !tensor.SameShape(y.Shape, shape) {
			return nil, &tensor.ShapeError{Op: op + " y", Got: y.Shape, Want: shape}
		}
	}
	return shape, nil
}

// backwardDx runs checkBackward, then the layer's further checks in
// order, and returns the layer's dx buffer of g, of x's shape.
func backwardDx(op string, l Layer, x, y, dy *tensor.Tensor, needY bool, g *Grads, checks ...func() error) (*tensor.Tensor, error) {
	if _, err := checkBackward(op, l, x, y, dy, needY); err != nil {
		return nil, err
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return nil, err
		}
	}
	return g.buffer(l, slotDx, x.Shape), nil
}

// backwardDz checks the arguments of the Backward of a parameter layer
// with a fused ReLU (Conv2d, Linear): g set, x, y and dy against each
// other, then checkParams. It returns dz, the gradient before the ReLU:
// dy itself without relu, else dy zeroed where y is not positive, in g's
// buffer.
func backwardDz(layer string, l Layer, x, y, dy *tensor.Tensor, g *Grads, relu bool, threads int, checkParams func() error) (*tensor.Tensor, error) {
	if g == nil {
		return nil, errNoGrads(layer)
	}
	if _, err := checkBackward("nn."+layer+" backward", l, x, y, dy, relu); err != nil {
		return nil, err
	}
	if err := checkParams(); err != nil {
		return nil, err
	}
	if !relu {
		return dy, nil
	}
	dz := g.buffer(l, slotDz, dy.Shape)
	kernels.ReLUBackwardThreads(y.Data, dy.Data, dz.Data, threads)
	return dz, nil
}

// errNoGrads is the error of a parameter layer's Backward given a nil
// *Grads.
func errNoGrads(layer string) error {
	return &ConfigError{layer, "Backward needs a *Grads for the parameter gradients"}
}

// Every layer has a backward pass.
var _ = []Backwarder{(*Conv2d)(nil), (*Linear)(nil), (*ReLU)(nil), (*MaxPool2d)(nil),
	(*AdaptiveAvgPool2d)(nil), (*LocalResponseNorm)(nil), (*Dropout)(nil), Flatten{}, (*Softmax)(nil)}
