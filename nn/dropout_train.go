package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/tensor"
)

// Training mode of torch.nn.Dropout(P). PyTorch draws a keep mask
// m ~ Bernoulli(1-P), turns it into the noise m/(1-P) and returns x·noise;
// the gradient is dy·noise. Noise draws such a noise from a seeded
// generator (PyTorch's own generator is not reproduced); NoiseFromMask
// makes the noise of a given mask, e.g. one recorded from PyTorch.

// Noise draws the training-mode noise for an input of the given shape:
// each element is 1/(1-P) when rng.Float32() < 1-P, else 0 (all 0 when
// P is 1, all 1 when P is 0). P must lie in [0, 1].
func (d *Dropout) Noise(shape []int, rng *rand.Rand) (*tensor.Tensor, error) {
	s, err := d.scale()
	if err != nil {
		return nil, err
	}
	t := tensor.New(shape...)
	fillNoise(t.Data, 1-d.P, s, rng)
	return t, nil
}

// fillNoise sets noise[i] = s if rng.Float32() < keep, else +0, drawing in
// index order. The choice is a bit mask rather than a branch, which would
// be mispredicted about as often as P is near 1/2.
func fillNoise(noise []float32, keep, s float32, rng *rand.Rand) {
	sb := math.Float32bits(s)
	for i := range noise {
		var m uint32
		if rng.Float32() < keep {
			m = math.MaxUint32
		}
		noise[i] = math.Float32frombits(sb & m)
	}
}

// NoiseFromMask returns the noise of a keep mask: 1/(1-P) where keep is
// nonzero, 0 elsewhere (0 everywhere when P is 1).
func (d *Dropout) NoiseFromMask(keep *tensor.Tensor) (*tensor.Tensor, error) {
	s, err := d.scale()
	if err != nil {
		return nil, err
	}
	if err := checkData("nn.Dropout mask", keep); err != nil {
		return nil, err
	}
	t := tensor.New(keep.Shape...)
	for i, v := range keep.Data {
		if v != 0 {
			t.Data[i] = s
		}
	}
	return t, nil
}

// scale is 1/(1-P) rounded to float32, as ATen's noise.div_(1-p)
// computes it (0 when P is 1).
func (d *Dropout) scale() (float32, error) {
	if !(d.P >= 0 && d.P <= 1) {
		return 0, &ConfigError{"Dropout", fmt.Sprintf("p %v not in [0, 1]", d.P)}
	}
	if d.P == 1 {
		return 0, nil
	}
	return 1 / float32(1-float64(d.P)), nil
}

// ForwardTrain is Forward in training mode: y = x·noise, x and noise of
// one shape, y a new tensor.
func (d *Dropout) ForwardTrain(x, noise *tensor.Tensor) (*tensor.Tensor, error) {
	if err := checkNoise("nn.Dropout", x, noise); err != nil {
		return nil, err
	}
	y := tensor.New(x.Shape...)
	kernels.Mul(x.Data, noise.Data, y.Data)
	return y, nil
}

// BackwardTrain is the gradient of ForwardTrain: dx = dy·noise, in a
// buffer of g (a new tensor when g is nil).
func (d *Dropout) BackwardTrain(noise, dy *tensor.Tensor, g *Grads) (*tensor.Tensor, error) {
	if err := checkNoise("nn.Dropout backward", dy, noise); err != nil {
		return nil, err
	}
	dx := g.buffer(d, slotDx, dy.Shape)
	kernels.Mul(dy.Data, noise.Data, dx.Data)
	return dx, nil
}

// Backward is the gradient of Forward in eval mode, the identity: it
// returns dy itself.
func (d *Dropout) Backward(x, y, dy *tensor.Tensor, g *Grads) (*tensor.Tensor, error) {
	if _, err := checkBackward("nn.Dropout backward", d, x, y, dy, false); err != nil {
		return nil, err
	}
	return dy, nil
}

func checkNoise(op string, x, noise *tensor.Tensor) error {
	if err := checkData(op, x); err != nil {
		return err
	}
	if err := checkData(op+" noise", noise); err != nil {
		return err
	}
	if !tensor.SameShape(x.Shape, noise.Shape) {
		return &tensor.ShapeError{Op: op + " noise", Got: noise.Shape, Want: x.Shape}
	}
	return nil
}
