package qmodel

import (
	"fmt"
	"runtime"

	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/nn"
	"github.com/alexnet-go/alexnet/quant"
	"github.com/alexnet-go/alexnet/tensor"
)

// Model is an AlexNet whose convolutions and linear layers (those of its
// quant.Model) run in int8. A Model is not safe for concurrent use (its
// layers reuse their buffers).
type Model struct {
	ops []op
}

// op is one step of the forward pass.
type op struct {
	name    string
	forward func(x *tensor.Tensor) (*tensor.Tensor, error)
	flatten bool
}

// New builds the int8 network of qm for the architecture cfg: every
// convolution and linear layer of cfg must be in qm. A grouped convolution
// (the original architecture) is an *UnsupportedError.
func New(qm *quant.Model, cfg model.Config) (*Model, error) {
	skel, err := model.New(cfg)
	if err != nil {
		return nil, err
	}
	return build(qm, skel, false)
}

// NewFrom is New on the architecture of skel, whose layers without
// parameters (ReLU, pooling, dropout) the Model uses (and so shares: skel
// must not run at the same time); every convolution and linear layer of
// skel must be in qm. It saves building a second network when the caller
// holds one (package predict does).
func NewFrom(qm *quant.Model, skel *model.AlexNet) (*Model, error) {
	return build(qm, skel, false)
}

// NewMixed is New where the convolutions and linear layers absent from qm
// (Options.FP32Layers) run in float32 with their batch norms, as in float,
// whose layers the Model then uses (and so shares: float and the Model must
// not run at the same time). With float nil it is New.
func NewMixed(qm *quant.Model, cfg model.Config, float *model.AlexNet) (*Model, error) {
	if float == nil {
		return New(qm, cfg)
	}
	return build(qm, float, true)
}

// build is New, NewFrom and NewMixed: the ops of skel's modules, those in
// qm in int8, the other convolutions and linear layers skel's own when
// mixed allows it, else an *UnsupportedError.
func build(qm *quant.Model, skel *model.AlexNet, mixed bool) (*Model, error) {
	threads := skel.Config().Threads
	if threads < 1 {
		threads = runtime.GOMAXPROCS(0)
	}
	mods := skel.Modules()
	m := &Model{}
	for i := 0; i < len(mods); i++ {
		mod := mods[i]
		o := op{name: mod.Name, forward: mod.Layer.Forward, flatten: mod.Flatten}
		if r, ok := mod.Layer.(*nn.ReLU); ok && r.Fused {
			continue // applied by the layer before it
		}
		if l := qm.Layer(mod.Name); l != nil {
			q, skip, err := newQuantOp(l, mods, i, threads)
			if err != nil {
				return nil, err
			}
			o.forward, i = q, i+skip
		} else if isParamLayer(mod.Layer) && !mixed {
			return nil, &UnsupportedError{mod.Name, "not in the quantized model"}
		}
		m.ops = append(m.ops, o)
	}
	return m, nil
}

// newQuantOp returns the int8 forward of module i, quantized as l, and the
// count of modules after it that it includes (a folded batch norm).
func newQuantOp(l *quant.Layer, mods []model.Module, i, threads int) (func(*tensor.Tensor) (*tensor.Tensor, error), int, error) {
	skip := 0
	switch c := mods[i].Layer.(type) {
	case *nn.Conv2d:
		relu := c.ReLU
		if i+1 < len(mods) {
			if bn, ok := mods[i+1].Layer.(*nn.BatchNorm2d); ok {
				relu, skip = bn.ReLU, 1
			}
		}
		q, err := newConv(l, c, relu, threads)
		if err != nil {
			return nil, 0, err
		}
		return q.forward, skip, nil
	case *nn.Linear:
		q, err := newLinear(l, c, threads)
		if err != nil {
			return nil, 0, err
		}
		return q.forward, 0, nil
	}
	return nil, 0, &UnsupportedError{mods[i].Name, fmt.Sprintf("%T cannot be quantized", mods[i].Layer)}
}

func isParamLayer(l nn.Layer) bool {
	switch l.(type) {
	case *nn.Conv2d, *nn.Linear:
		return true
	}
	return false
}

// Forward maps x (N,3,H,W) to logits (N,NumClasses), owned by the caller.
func (m *Model) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	if x == nil || len(x.Shape) != 4 || x.Shape[1] != 3 {
		var got []int
		if x != nil {
			got = x.Shape
		}
		return nil, &tensor.ShapeError{Op: "qmodel.Forward", Got: got, Msg: "want (N, 3, H, W)"}
	}
	y := x
	for _, o := range m.ops {
		out, err := o.forward(y)
		if err != nil {
			return nil, fmt.Errorf("qmodel: %s: %w", o.name, err)
		}
		if o.flatten {
			if out, err = (nn.Flatten{}).Forward(out); err != nil {
				return nil, fmt.Errorf("qmodel: flatten: %w", err)
			}
		}
		y = out
	}
	return y.Clone(), nil
}
