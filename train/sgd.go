package train

import (
	"fmt"
	"runtime"

	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/nn"
	"github.com/alexnet-go/alexnet/tensor"
)

// SGD is torch.optim.SGD (PyTorch 1.13, maximize off). Step updates each
// parameter p with gradient g in place:
//
//	g = g + WeightDecay·p                                  if WeightDecay != 0
//	b = g on the first step, else b = Momentum·b + (1-Dampening)·g
//	g = g + Momentum·b if Nesterov, else g = b             if Momentum != 0
//	p = p - LR·g
//
// in float32, with the hyperparameters rounded to float32, as PyTorch
// applies them to float32 tensors. The paper's rule (Krizhevsky et al.
// 2012, section 5) is Momentum 0.9, WeightDecay 5e-4 (its weight decay
// term ε·0.0005·w is this one scaled by the learning rate).
//
// The momentum buffers b are kept per parameter tensor, starting with the
// first Step that sees the parameter's gradient.
type SGD struct {
	LR, Momentum, Dampening, WeightDecay float64
	Nesterov                             bool
	// Threads is the goroutine count each parameter's update is split
	// over; below 1 means runtime.GOMAXPROCS(0), or under Trainer.Step the
	// model's thread count. Each element gets the same operations for
	// every count, so the result does not depend on it.
	Threads int

	bufs map[*tensor.Tensor]*tensor.Tensor
}

// Validate returns a *ConfigError for settings torch.optim.SGD rejects:
// negative learning rate, momentum or weight decay, and Nesterov without
// momentum or with dampening.
func (o *SGD) Validate() error {
	bad := func(format string, args ...any) error { return &ConfigError{"SGD", fmt.Sprintf(format, args...)} }
	switch {
	case !(o.LR >= 0):
		return bad("invalid learning rate %v", o.LR)
	case !(o.Momentum >= 0):
		return bad("invalid momentum %v", o.Momentum)
	case !(o.WeightDecay >= 0):
		return bad("invalid weight decay %v", o.WeightDecay)
	case o.Nesterov && (o.Momentum <= 0 || o.Dampening != 0):
		return bad("Nesterov momentum requires a momentum and zero dampening")
	}
	return nil
}

// Step updates every parameter of params that has a gradient in g (as
// PyTorch skips parameters whose .grad is None).
func (o *SGD) Step(params []nn.Param, g *nn.Grads) error {
	return o.step(params, g, runtime.GOMAXPROCS(0))
}

// step is Step with threads goroutines where o.Threads is below 1.
func (o *SGD) step(params []nn.Param, g *nn.Grads, threads int) error {
	if o.Threads >= 1 {
		threads = o.Threads
	}
	if err := o.Validate(); err != nil {
		return err
	}
	lr, mom, damp, wd := float32(o.LR), float32(o.Momentum), float32(1-o.Dampening), float32(o.WeightDecay)
	for _, p := range params {
		grad := g.Get(p.T)
		if grad == nil {
			continue
		}
		if len(grad.Data) != len(p.T.Data) {
			return &tensor.ShapeError{Op: "train.SGD " + p.Name, Got: grad.Shape, Want: p.T.Shape}
		}
		w, gd := p.T.Data, grad.Data[:len(p.T.Data)]
		if mom == 0 {
			kernels.ParFor(len(w), kernels.ElementGrain, threads, func(lo, hi int) {
				sgdPlain(w[lo:hi], gd[lo:hi], lr, wd)
			})
			continue
		}
		if o.bufs == nil {
			o.bufs = make(map[*tensor.Tensor]*tensor.Tensor)
		}
		b, first := o.bufs[p.T], false
		if b == nil || len(b.Data) != len(w) {
			b, first = tensor.New(p.T.Shape...), true
			o.bufs[p.T] = b
		}
		buf, nesterov := b.Data[:len(w)], o.Nesterov
		kernels.ParFor(len(w), kernels.ElementGrain, threads, func(lo, hi int) {
			sgdMomentum(w[lo:hi], gd[lo:hi], buf[lo:hi], lr, mom, damp, wd, first, nesterov)
		})
	}
	return nil
}

// sgdPlain is the update without momentum, for i < len(w):
//
//	d = g[i] + wd·w[i]   (d = g[i] when wd is 0)
//	w[i] -= lr·d
func sgdPlain(w, g []float32, lr, wd float32) {
	g = g[:len(w)]
	for i, d := range g {
		if wd != 0 {
			d += wd * w[i]
		}
		w[i] -= lr * d
	}
}

// sgdMomentum is the update with momentum buffer buf, for i < len(w):
//
//	d = g[i] + wd·w[i]                                     (g[i] when wd is 0)
//	buf[i] = d if first, else buf[i]·mom + damp·d
//	d = d + mom·buf[i] if nesterov, else buf[i]
//	w[i] -= lr·d
func sgdMomentum(w, g, buf []float32, lr, mom, damp, wd float32, first, nesterov bool) {
	if !first && !nesterov && wd != 0 {
		kernels.SGDMomentum(w, g, buf, lr, mom, damp, wd) // the same operations, vectorised
		return
	}
	g, buf = g[:len(w)], buf[:len(w)]
	for i, d := range g {
		if wd != 0 {
			d += wd * w[i]
		}
		if first {
			buf[i] = d
		} else {
			buf[i] = buf[i]*mom + damp*d
		}
		if nesterov {
			d += mom * buf[i]
		} else {
			d = buf[i]
		}
		w[i] -= lr * d
	}
}

// MomentumBuffer returns the momentum buffer of parameter p, or nil before
// the first Step that updated p with momentum (PyTorch's
// state[p]["momentum_buffer"]).
func (o *SGD) MomentumBuffer(p *tensor.Tensor) *tensor.Tensor { return o.bufs[p] }

// SetMomentumBuffer sets the momentum buffer of parameter p (restoring a
// checkpoint); b must have p's length. A nil b forgets p's buffer, so the
// next Step starts it afresh.
func (o *SGD) SetMomentumBuffer(p, b *tensor.Tensor) error {
	if b == nil {
		delete(o.bufs, p)
		return nil
	}
	if len(b.Data) != len(p.Data) {
		return &tensor.ShapeError{Op: "train.SGD.SetMomentumBuffer", Got: b.Shape, Want: p.Shape}
	}
	if o.bufs == nil {
		o.bufs = make(map[*tensor.Tensor]*tensor.Tensor)
	}
	o.bufs[p] = b
	return nil
}
