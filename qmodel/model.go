package qmodel

import (
	"fmt"
	"runtime"
	"time"

	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/nn"
	"github.com/alexnet-go/alexnet/quant"
	"github.com/alexnet-go/alexnet/tensor"
)

// Model is an AlexNet whose convolutions and linear layers (those of its
// quant.Model) run in int8. A Model is not safe for concurrent use (its
// layers reuse their buffers).
type Model struct {
	ops   []step
	mixed bool // float32 layers allowed (NewMixed)
}

// step is one op of the forward pass, with its module's name and whether
// its output is flattened.
type step struct {
	name    string
	op      op
	flatten bool
	flat    qtensor // the flattened uint8 output
}

// op is one layer of a Model, taking and returning float32 or uint8
// activations.
type op interface {
	forward(v value) (value, error)
}

// New builds the int8 network of qm for the architecture cfg: every
// convolution and linear layer of cfg must be in qm. A grouped convolution
// (the original architecture) is an *UnsupportedError.
func New(qm *quant.Model, cfg model.Config) (*Model, error) {
	skel, err := model.New(cfg)
	if err != nil {
		return nil, err
	}
	return build(fromQuant(qm), skel, false)
}

// NewFrom is New on the architecture of skel, whose layers without
// parameters (pooling, local response normalization) the Model uses (and
// so shares: skel must not run at the same time); every convolution and
// linear layer of skel must be in qm. It saves building a second network
// when the caller holds one (package predict does).
func NewFrom(qm *quant.Model, skel *model.AlexNet) (*Model, error) {
	return build(fromQuant(qm), skel, false)
}

// NewMixed is New where the convolutions and linear layers absent from qm
// (Options.FP32Layers) run in float32 with their batch norms, as in float,
// whose layers the Model then uses (and so shares: float and the Model must
// not run at the same time). With float nil it is New.
func NewMixed(qm *quant.Model, cfg model.Config, float *model.AlexNet) (*Model, error) {
	if float == nil {
		return New(qm, cfg)
	}
	return build(fromQuant(qm), float, true)
}

// Replica returns a Model that shares m's packed int8 weights, for forward
// passes at the same time as m's on another goroutine, on the layers
// without parameters of skel: a replica (model.AlexNet.Replica) of the
// network m was built on, which the new Model shares as NewFrom does.
func (m *Model) Replica(skel *model.AlexNet) (*Model, error) {
	byName := make(map[string]op, len(m.ops))
	for _, s := range m.ops {
		if gemmOf(s.op) != nil {
			byName[s.name] = s.op
		}
	}
	return build(func(mods []model.Module, i, _ int) (op, int, error) {
		o, ok := byName[mods[i].Name]
		if !ok {
			return nil, 0, nil
		}
		switch l := o.(type) {
		case *conv:
			return &conv{gemm: l.gemm.share(), inC: l.inC, outC: l.outC, k: l.k, stride: l.stride, pad: l.pad, kp: l.kp}, l.skip, nil
		case *linear:
			return &linear{gemm: l.gemm.share(), nIn: l.nIn, nOut: l.nOut}, 0, nil
		}
		return nil, 0, nil
	}, skel, m.mixed)
}

// quantOps returns the int8 op of module i of mods on threads goroutines
// and the count of modules after it that it includes (a folded batch
// norm), or a nil op when the module stays float32.
type quantOps func(mods []model.Module, i, threads int) (op, int, error)

// fromQuant makes the int8 ops of the layers of qm.
func fromQuant(qm *quant.Model) quantOps {
	return func(mods []model.Module, i, threads int) (op, int, error) {
		l := qm.Layer(mods[i].Name)
		if l == nil {
			return nil, 0, nil
		}
		return newQuantOp(l, mods, i, threads)
	}
}

// build is New, NewFrom, NewMixed and Replica: the ops of skel's modules,
// the int8 ones from quantOp, the other convolutions and linear layers
// skel's own when mixed allows it, else an *UnsupportedError; then each
// int8 layer is told where its output goes (plan).
func build(quantOp quantOps, skel *model.AlexNet, mixed bool) (*Model, error) {
	threads := skel.Config().Threads
	if threads < 1 {
		threads = runtime.GOMAXPROCS(0)
	}
	mods := skel.Modules()
	m := &Model{mixed: mixed}
	for i := 0; i < len(mods); i++ {
		mod := mods[i]
		s := step{name: mod.Name, flatten: mod.Flatten}
		switch l := mod.Layer.(type) {
		case *nn.ReLU:
			if l.Fused {
				continue // applied by the layer before it
			}
			s.op = &floatOp{l}
		case *nn.Dropout:
			continue // the identity in inference
		case *nn.MaxPool2d:
			s.op = &maxPool{float: l, threads: threads}
		case *nn.AdaptiveAvgPool2d:
			s.op = &avgPool{float: l}
		default:
			q, skip, err := quantOp(mods, i, threads)
			if err != nil {
				return nil, err
			}
			if q != nil {
				s.op, i = q, i+skip
			} else if isParamLayer(mod.Layer) && !mixed {
				return nil, &UnsupportedError{mod.Name, "not in the quantized model"}
			} else {
				s.op = &floatOp{mod.Layer}
			}
		}
		m.ops = append(m.ops, s)
	}
	m.plan()
	return m, nil
}

// plan sets where each int8 layer writes: as uint8 for the next int8
// layer when only pools stand between them (with the border that layer's
// convolution reads, written by the layer or pool just before it), as
// float32 otherwise.
func (m *Model) plan() {
	for i, s := range m.ops {
		g := gemmOf(s.op)
		if g == nil {
			continue
		}
		j := i + 1
		for j < len(m.ops) && isPool(m.ops[j].op) {
			j++
		}
		next := (*gemm)(nil)
		if j < len(m.ops) {
			next = gemmOf(m.ops[j].op)
		}
		if next == nil {
			g.setTarget(dest{})
			continue
		}
		pad := 0
		if c, ok := m.ops[j].op.(*conv); ok {
			pad = c.pad
		}
		t := dest{q: true, p: next.in}
		if j == i+1 {
			t.pad = pad
		} else if p, ok := m.ops[j-1].op.(*maxPool); ok && !m.ops[j-1].flatten {
			p.pad = pad
		}
		g.setTarget(t)
	}
}

// gemmOf returns the int8 layer of o, or nil.
func gemmOf(o op) *gemm {
	switch l := o.(type) {
	case *conv:
		return l.gemm
	case *linear:
		return l.gemm
	}
	return nil
}

func isPool(o op) bool {
	switch o.(type) {
	case *maxPool, *avgPool:
		return true
	}
	return false
}

// newQuantOp returns the int8 op of module i, quantized as l, and the
// count of modules after it that it includes (a folded batch norm).
func newQuantOp(l *quant.Layer, mods []model.Module, i, threads int) (op, int, error) {
	switch c := mods[i].Layer.(type) {
	case *nn.Conv2d:
		relu, skip := c.ReLU, 0
		if i+1 < len(mods) {
			if bn, ok := mods[i+1].Layer.(*nn.BatchNorm2d); ok {
				relu, skip = bn.ReLU, 1
			}
		}
		q, err := newConv(l, c, relu, threads)
		if err != nil {
			return nil, 0, err
		}
		q.skip = skip
		return q, skip, nil
	case *nn.Linear:
		q, err := newLinear(l, c, threads)
		return q, 0, err
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
	return m.forward(x, nil)
}

// forward is Forward, calling timed, when not nil, after each op with its
// time (its flatten included).
func (m *Model) forward(x *tensor.Tensor, timed func(*step, time.Duration)) (*tensor.Tensor, error) {
	if x == nil || len(x.Shape) != 4 || x.Shape[1] != 3 {
		var got []int
		if x != nil {
			got = x.Shape
		}
		return nil, &tensor.ShapeError{Op: "qmodel.Forward", Got: got, Msg: "want (N, 3, H, W)"}
	}
	v := value{f: x}
	for i := range m.ops {
		s := &m.ops[i]
		start := time.Now()
		out, err := s.op.forward(v)
		if err != nil {
			return nil, fmt.Errorf("qmodel: %s: %w", s.name, err)
		}
		if s.flatten {
			if out, err = s.flattened(out); err != nil {
				return nil, fmt.Errorf("qmodel: flatten: %w", err)
			}
		}
		if timed != nil {
			timed(s, time.Since(start))
		}
		v = out
	}
	if v.f == nil {
		return v.q.dequantize(true), nil
	}
	return v.f.Clone(), nil
}

// flattened is v as (N, F), in NCHW flatten order.
func (s *step) flattened(v value) (value, error) {
	if v.q == nil {
		y, err := (nn.Flatten{}).Forward(v.f)
		return value{f: y}, err
	}
	v.q.flatten(&s.flat)
	return value{q: &s.flat}, nil
}

// StepTime is the time one op of a Model's forward pass took: Name is its
// module's (a convolution's with its batch norm and ReLU, which it
// includes).
type StepTime struct {
	Name    string
	Seconds float64
}

// Profile computes what Forward computes for x, the same logits, timing
// each op.
func (m *Model) Profile(x *tensor.Tensor) (*tensor.Tensor, []StepTime, error) {
	times := make([]StepTime, 0, len(m.ops))
	y, err := m.forward(x, func(s *step, d time.Duration) {
		times = append(times, StepTime{s.name, d.Seconds()})
	})
	return y, times, err
}
