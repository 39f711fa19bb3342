package model

import (
	"fmt"

	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/nn"
	"github.com/alexnet-go/alexnet/tensor"
)

// AlexNet is one AlexNet variant: features, avgpool, flatten, classifier.
// Its parameters start at zero; load them with LoadStateDict. An AlexNet is
// not safe for concurrent use (layers reuse their buffers); build one per
// goroutine, sharing nothing, to run in parallel.
type AlexNet struct {
	Features   *nn.Sequential
	Avgpool    *nn.AdaptiveAvgPool2d
	Classifier *nn.Sequential

	cfg Config
}

// New builds the variant cfg describes, with zero parameters.
func New(cfg Config) (*AlexNet, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	b := builder{alg: cfg.Conv, lrnBias: cfg.lrnBias(), ceil: cfg.CeilPool}
	c := cfg.Channels
	var f []nn.Layer
	switch cfg.Arch {
	case ArchTorchvision, ArchTiny, ArchTinyBN:
		k, s := 11, 4 // torchvision's stem; tiny's sees 64×64 inputs
		if cfg.Arch != ArchTorchvision {
			k, s = 5, 2
		}
		f = []nn.Layer{
			b.conv(3, c[0], k, s, 2, 1), &nn.ReLU{}, b.pool(),
			b.conv(c[0], c[1], 5, 1, 2, 1), &nn.ReLU{}, b.pool(),
			b.conv(c[1], c[2], 3, 1, 1, 1), &nn.ReLU{},
			b.conv(c[2], c[3], 3, 1, 1, 1), &nn.ReLU{},
			b.conv(c[3], c[4], 3, 1, 1, 1), &nn.ReLU{}, b.pool(),
		}
		if cfg.Arch == ArchTinyBN {
			f = b.withBatchNorm(f)
		}
	default:
		f = []nn.Layer{
			b.conv(3, c[0], 11, 4, 0, 1), &nn.ReLU{}, b.lrn(), b.pool(),
			b.conv(c[0], c[1], 5, 1, 2, 2), &nn.ReLU{}, b.lrn(), b.pool(),
			b.conv(c[1], c[2], 3, 1, 1, 1), &nn.ReLU{},
			b.conv(c[2], c[3], 3, 1, 1, 2), &nn.ReLU{},
			b.conv(c[3], c[4], 3, 1, 1, 2), &nn.ReLU{}, b.pool(),
		}
	}
	side := cfg.poolSide()
	avg, err := nn.NewAdaptiveAvgPool2d(side, side)
	if err != nil {
		return nil, err
	}
	cls := []nn.Layer{
		&nn.Dropout{P: 0.5}, b.linear(c[4]*side*side, cfg.Hidden), &nn.ReLU{},
		&nn.Dropout{P: 0.5}, b.linear(cfg.Hidden, cfg.Hidden), &nn.ReLU{},
		b.linear(cfg.Hidden, cfg.NumClasses),
	}
	if b.err != nil {
		return nil, &ConfigError{cfg, b.err.Error()}
	}
	fuseReLU(f)
	fuseReLU(cls)
	m := &AlexNet{Features: &nn.Sequential{Layers: f}, Avgpool: avg, Classifier: &nn.Sequential{Layers: cls}, cfg: cfg}
	m.SetThreads(cfg.Threads)
	return m, nil
}

// fuseReLU moves each ReLU that follows a convolution, batch norm or
// linear layer into that layer's output loop (for the GEMMs, their
// epilogue), leaving the ReLU in place (so module indices, and state_dict
// names, stay torchvision's) as a pass-through.
func fuseReLU(layers []nn.Layer) {
	for i := 0; i+1 < len(layers); i++ {
		r, ok := layers[i+1].(*nn.ReLU)
		if !ok {
			continue
		}
		switch l := layers[i].(type) {
		case *nn.Conv2d:
			l.ReLU, r.Fused = true, true
		case *nn.BatchNorm2d:
			l.ReLU, r.Fused = true, true
		case *nn.Linear:
			l.ReLU, r.Fused = true, true
		}
	}
}

// ParamsChanged tells the layers that parameters were written in place,
// so copies derived from them (packed convolution weights) are remade on
// the next Forward. LoadStateDict calls it.
func (m *AlexNet) ParamsChanged() {
	for _, l := range m.Features.Layers {
		if c, ok := l.(*nn.Conv2d); ok {
			c.ParamsChanged()
		}
	}
}

// builder makes layers, keeping the first error.
type builder struct {
	alg     kernels.ConvAlgorithm // the convolutions' algorithm
	lrnBias float32               // the LRNs' k
	ceil    bool                  // the max pools' ceil mode
	err     error
}

func (b *builder) conv(in, out, k, s, p, g int) nn.Layer {
	l, err := nn.NewConv2d(in, out, k, s, p, g)
	b.keep(err)
	if l != nil {
		l.Algorithm = b.alg
	}
	return l
}

func (b *builder) linear(in, out int) nn.Layer {
	l, err := nn.NewLinear(in, out)
	b.keep(err)
	return l
}

func (b *builder) pool() nn.Layer {
	l, err := nn.NewMaxPool2d(3, 2)
	b.keep(err)
	if l != nil {
		l.Ceil = b.ceil
	}
	return l
}

// withBatchNorm returns layers with a BatchNorm2d after each convolution.
func (b *builder) withBatchNorm(layers []nn.Layer) []nn.Layer {
	var out []nn.Layer
	for _, l := range layers {
		out = append(out, l)
		if c, ok := l.(*nn.Conv2d); ok {
			bn, err := nn.NewBatchNorm2d(c.OutC)
			b.keep(err)
			out = append(out, bn)
		}
	}
	return out
}

func (b *builder) lrn() nn.Layer {
	l, err := nn.NewLocalResponseNorm(5, 1e-4, 0.75, b.lrnBias)
	b.keep(err)
	return l
}

func (b *builder) keep(err error) {
	if b.err == nil {
		b.err = err
	}
}

// Config returns the configuration m was built with (Threads as last set).
func (m *AlexNet) Config() Config { return m.cfg }

// SetThreads sets the goroutine count of every convolution and linear
// layer; n < 1 means runtime.GOMAXPROCS(0).
func (m *AlexNet) SetThreads(n int) {
	m.cfg.Threads = max(n, 0)
	t := m.cfg.threads()
	m.Features.SetThreads(t)
	m.Classifier.SetThreads(t)
	m.Avgpool.SetThreads(t)
}

// Replica returns a model of m's configuration whose parameters share
// m's data (not copied: a change to the weights of one is a change to the
// other's) and which has its own activations and packed weights, so m and
// its replicas can run forward passes at the same time (each one on one
// goroutine). Batch-norm running statistics are shared the same way. The
// replica's own parameter tensors, allocated by New and never written,
// are dropped.
func (m *AlexNet) Replica() (*AlexNet, error) {
	r, err := New(m.cfg)
	if err != nil {
		return nil, err
	}
	rp, mp := r.State(), m.State()
	for i := range rp {
		*rp[i].T = tensor.Tensor{Shape: mp[i].T.Shape, Data: mp[i].T.Data}
	}
	return r, nil
}

// Forward maps x (N,3,H,W) to logits (N,NumClasses), in eval mode
// (dropout is the identity). The result belongs to the caller. H and W may
// be any size the convolutions and pools accept (at least 63 for
// torchvision's, 67 for the original, 27 for tiny); the adaptive pool makes
// the classifier input 6×6 (tiny: 3×3).
func (m *AlexNet) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	if err := checkInput("model.Forward", x); err != nil {
		return nil, err
	}
	y, err := m.Features.Forward(x)
	if err != nil {
		return nil, fmt.Errorf("model: features: %w", err)
	}
	if y, err = m.Avgpool.Forward(y); err != nil {
		return nil, fmt.Errorf("model: avgpool: %w", err)
	}
	if y, err = (nn.Flatten{}).Forward(y); err != nil {
		return nil, fmt.Errorf("model: flatten: %w", err)
	}
	if y, err = m.Classifier.Forward(y); err != nil {
		return nil, fmt.Errorf("model: classifier: %w", err)
	}
	return y.Clone(), nil
}

// State lists the parameters and the batch norms' running statistics
// (tiny-bn) with their state_dict names, in PyTorch's state_dict order
// (each module's parameters, then its buffers). The tensors are m's own.
// PyTorch's int64 num_batches_tracked has no tensor here (see
// LoadStateDict).
func (m *AlexNet) State() []nn.Param {
	var ps []nn.Param
	for i, l := range m.Features.Layers {
		own := l.Params()
		if b, ok := l.(nn.Bufferer); ok {
			own = append(own, b.Buffers()...)
		}
		for _, p := range own {
			ps = append(ps, nn.Param{Name: fmt.Sprintf("features.%d.%s", i, p.Name), T: p.T})
		}
	}
	for _, p := range m.Classifier.Params() {
		ps = append(ps, nn.Param{Name: "classifier." + p.Name, T: p.T})
	}
	return ps
}

// Parameters lists every parameter with its torchvision state_dict name,
// in state_dict order. The tensors are m's own: writing them changes m.
func (m *AlexNet) Parameters() []nn.Param {
	var ps []nn.Param
	for _, p := range m.Features.Params() {
		ps = append(ps, nn.Param{Name: "features." + p.Name, T: p.T})
	}
	for _, p := range m.Classifier.Params() {
		ps = append(ps, nn.Param{Name: "classifier." + p.Name, T: p.T})
	}
	return ps
}

// NumParams is the total element count of the parameters.
func (m *AlexNet) NumParams() int {
	n := 0
	for _, p := range m.Parameters() {
		n += p.T.Len()
	}
	return n
}
