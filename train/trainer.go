package train

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"

	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/nn"
	"github.com/alexnet-go/alexnet/tensor"
)

// Trainer trains an AlexNet by SGD. Each Step runs the model forward in
// training mode (dropout on, batch norms on batch statistics), keeping
// every module's input and output, takes the loss, runs every module's
// Backward in reverse into Grads, and applies Opt.
//
// The activations are the layers' own output buffers, so a Trainer must
// be the only user of its model while it steps.
type Trainer struct {
	Model *model.AlexNet
	Loss  CrossEntropy
	Opt   *SGD
	// Rand draws the dropout noise (nn.Dropout.Noise). It must be set
	// when a dropout layer has P > 0, unless Noise is.
	Rand *rand.Rand
	// Noise, when set, gives the dropout noise instead of Rand: it is
	// called for each dropout layer, in forward order, with the layer's
	// index in Model.Classifier and its input's shape. The tests replay
	// PyTorch's masks with it.
	Noise func(index int, d *nn.Dropout, shape []int) (*tensor.Tensor, error)
	// FreezeFeatures trains the classifier only, as requires_grad=False on
	// model.features does in PyTorch: the backward pass stops at the
	// avgpool and the convolutions get no gradient and no update.
	FreezeFeatures bool

	grads  *nn.Grads
	stages []stage
	logits *tensor.Tensor
}

// stage is one module of the forward pass with what its backward needs.
type stage struct {
	name  string
	index int // in Features or Classifier
	l     nn.Backwarder
	x, y  *tensor.Tensor
	noise *tensor.Tensor // training-mode dropout
}

// NewTrainer returns a Trainer of m with the given optimizer, no label
// smoothing, and dropout noise from rng.
func NewTrainer(m *model.AlexNet, opt *SGD, rng *rand.Rand) *Trainer {
	return &Trainer{Model: m, Opt: opt, Rand: rng}
}

// Grads holds the parameter gradients of the last ForwardBackward or Step,
// keyed by the model's parameter tensors.
func (t *Trainer) Grads() *nn.Grads {
	if t.grads == nil {
		t.grads = nn.NewGrads()
	}
	return t.grads
}

// Logits returns the logits (N, NumClasses) of the last ForwardBackward or
// Step: the last layer's buffer, overwritten by the next step.
func (t *Trainer) Logits() *tensor.Tensor { return t.logits }

// plan lists the model's modules in forward order, as model.Profile does:
// features, avgpool, flatten, classifier.
func (t *Trainer) plan() error {
	if t.Model == nil {
		return errors.New("train: Trainer has no model")
	}
	var ss []stage
	add := func(name string, i int, l nn.Layer) error {
		b, ok := l.(nn.Backwarder)
		if !ok {
			return fmt.Errorf("train: %s (%T) has no backward pass", name, l)
		}
		ss = append(ss, stage{name: name, index: i, l: b})
		return nil
	}
	for i, l := range t.Model.Features.Layers {
		if err := add(fmt.Sprintf("features.%d", i), i, l); err != nil {
			return err
		}
	}
	if err := add("avgpool", 0, t.Model.Avgpool); err != nil {
		return err
	}
	if err := add("flatten", 0, nn.Flatten{}); err != nil {
		return err
	}
	for i, l := range t.Model.Classifier.Layers {
		if err := add(fmt.Sprintf("classifier.%d", i), i, l); err != nil {
			return err
		}
	}
	t.stages = ss
	return nil
}

// ForwardBackward zeroes the gradients, runs x (N,3,H,W) forward in
// training mode, and returns the loss for labels (N values) after adding
// every parameter's gradient to Grads. It does not change the parameters.
func (t *Trainer) ForwardBackward(x *tensor.Tensor, labels []int) (float64, error) {
	if x == nil || len(x.Shape) != 4 || x.Shape[1] != 3 {
		var got []int
		if x != nil {
			got = x.Shape
		}
		return 0, &tensor.ShapeError{Op: "train.ForwardBackward", Got: got, Msg: "want (N, 3, H, W)"}
	}
	if t.stages == nil || len(t.stages) != len(t.Model.Features.Layers)+len(t.Model.Classifier.Layers)+2 {
		if err := t.plan(); err != nil {
			return 0, err
		}
	}
	g := t.Grads()
	g.ZeroThreads(t.threads())
	h := x
	for i := range t.stages {
		s := &t.stages[i]
		s.x, s.noise = h, nil
		var err error
		switch l := s.l.(type) {
		case *nn.Dropout:
			if l.P == 0 {
				h, err = l.Forward(h)
			} else if s.noise, err = t.dropoutNoise(s.index, l, h.Shape); err == nil {
				h, err = l.ForwardTrain(h, s.noise)
			}
		case *nn.BatchNorm2d:
			h, err = l.ForwardTrain(h) // batch statistics; updates the running ones
		default:
			h, err = s.l.Forward(h)
		}
		if err != nil {
			return 0, fmt.Errorf("train: %s: %w", s.name, err)
		}
		s.y = h
	}
	t.logits = h
	loss, dy, err := t.Loss.Loss(h, labels)
	if err != nil {
		return 0, err
	}
	last := 0
	if t.FreezeFeatures {
		last = len(t.Model.Features.Layers)
	}
	for i := len(t.stages) - 1; i >= last; i-- {
		s := &t.stages[i]
		var err error
		switch l := s.l.(type) {
		case *nn.Dropout:
			if s.noise != nil {
				dy, err = l.BackwardTrain(s.noise, dy, g)
			} else {
				dy, err = l.Backward(s.x, s.y, dy, g)
			}
		case *nn.Conv2d:
			if i == 0 { // the input needs no gradient
				err = l.BackwardParams(s.x, s.y, dy, g)
				break
			}
			dy, err = l.Backward(s.x, s.y, dy, g)
		default:
			dy, err = l.Backward(s.x, s.y, dy, g)
		}
		if err != nil {
			return 0, fmt.Errorf("train: %s backward: %w", s.name, err)
		}
	}
	return loss, nil
}

func (t *Trainer) dropoutNoise(i int, d *nn.Dropout, shape []int) (*tensor.Tensor, error) {
	if t.Noise != nil {
		n, err := t.Noise(i, d, shape)
		if err == nil && (n == nil || !tensor.SameShape(n.Shape, shape)) {
			err = &tensor.ShapeError{Op: "train: dropout noise", Got: shapeOf(n), Want: shape}
		}
		return n, err
	}
	if t.Rand == nil {
		return nil, errors.New("train: dropout needs Trainer.Rand (or Noise)")
	}
	return d.Noise(shape, t.Rand)
}

// threads is the model's goroutine count (model.Config.Threads, 0 meaning
// runtime.GOMAXPROCS(0)), which the Trainer's own elementwise work
// (zeroing the gradients, the SGD update) follows.
func (t *Trainer) threads() int {
	if n := t.Model.Config().Threads; n >= 1 {
		return n
	}
	return runtime.GOMAXPROCS(0)
}

func shapeOf(t *tensor.Tensor) []int {
	if t == nil {
		return nil
	}
	return t.Shape
}

// Step is ForwardBackward followed by Opt.Step on the model's parameters;
// it returns the loss before the update. The model's derived weights
// (packed convolution kernels) are remade afterwards (ParamsChanged).
func (t *Trainer) Step(x *tensor.Tensor, labels []int) (float64, error) {
	if t.Opt == nil {
		return 0, errors.New("train: Trainer has no optimizer")
	}
	loss, err := t.ForwardBackward(x, labels)
	if err != nil {
		return loss, err
	}
	params := t.Model.Parameters()
	if t.FreezeFeatures {
		params = slices.DeleteFunc(params, func(p nn.Param) bool { return strings.HasPrefix(p.Name, "features.") })
	}
	err = t.Opt.step(params, t.grads, t.threads())
	t.Model.ParamsChanged()
	return loss, err
}
