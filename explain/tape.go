package explain

import (
	"fmt"

	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/nn"
	"github.com/alexnet-go/alexnet/tensor"
)

// tape is a model's forward pass that keeps each module's input and output
// for the backward passes of input gradients. The ReLUs the model fuses
// into the layer before them run as layers of their own, so that every
// module's output is the one PyTorch's module returns (a convolution's
// before its ReLU).
type tape struct {
	names   []string
	layers  []nn.Layer
	flatten []bool // the module's output is flattened (avgpool)
	xs, ys  []*tensor.Tensor
	g       *nn.Grads
}

// newTape lays out m's modules. The tape shares m's parameters and its
// layers without parameters: m must not run at the same time.
func newTape(m *model.AlexNet) *tape {
	t := &tape{g: nn.NewGrads()}
	for _, mod := range m.Modules() {
		l := mod.Layer
		switch c := l.(type) {
		case *nn.Conv2d:
			l = c.WithoutReLU()
		case *nn.Linear:
			l = c.WithoutReLU()
		case *nn.BatchNorm2d:
			l = c.WithoutReLU()
		case *nn.ReLU:
			l = &nn.ReLU{} // the one the layer before fused, or its own
		}
		t.names = append(t.names, mod.Name)
		t.layers = append(t.layers, l)
		t.flatten = append(t.flatten, mod.Flatten)
	}
	return t
}

// index returns the position of the module called name, or a *LayerError
// listing the valid names.
func (t *tape) index(name string) (int, error) {
	for i, n := range t.names {
		if n == name {
			return i, nil
		}
	}
	return 0, &LayerError{Name: name, Valid: t.names}
}

// forward runs x through every module, keeping each one's input and
// output (ys[i] before the flatten), and returns the logits.
func (t *tape) forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	t.xs, t.ys = make([]*tensor.Tensor, len(t.layers)), make([]*tensor.Tensor, len(t.layers))
	h := x
	for i, l := range t.layers {
		t.xs[i] = h
		y, err := l.Forward(h)
		if err != nil {
			return nil, fmt.Errorf("explain: %s: %w", t.names[i], err)
		}
		t.ys[i] = y
		if h = y; t.flatten[i] {
			if h, err = (nn.Flatten{}).Forward(y); err != nil {
				return nil, fmt.Errorf("explain: flatten: %w", err)
			}
		}
	}
	return h, nil
}

// backward takes dy, the gradient of a score with respect to the logits,
// back through the modules after module to (to = -1: all of them) and
// returns the gradient with respect to module to's output (the image when
// to is -1), in module to's output shape.
func (t *tape) backward(dy *tensor.Tensor, to int) (*tensor.Tensor, error) {
	for i := len(t.layers) - 1; i > to; i-- {
		x, y := t.xs[i], t.ys[i]
		if t.flatten[i] {
			dy = &tensor.Tensor{Shape: y.Shape, Data: dy.Data}
		}
		var err error
		switch l := t.layers[i].(type) {
		case *nn.Conv2d:
			dy, err = l.BackwardInput(x, y, dy, t.g)
		case *nn.Linear:
			dy, err = l.BackwardInput(x, y, dy, t.g)
		case *nn.BatchNorm2d:
			dy, err = l.BackwardInputEval(x, y, dy, t.g)
		case nn.Backwarder:
			dy, err = l.Backward(x, y, dy, t.g)
		default:
			err = fmt.Errorf("%T has no backward pass", l)
		}
		if err != nil {
			return nil, fmt.Errorf("explain: %s backward: %w", t.names[i], err)
		}
	}
	if to >= 0 && t.flatten[to] {
		dy = &tensor.Tensor{Shape: t.ys[to].Shape, Data: dy.Data}
	}
	return dy, nil
}
