package nn

import (
	"fmt"
	"math"

	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/tensor"
)

// The input-only gradients of the parameter layers, for explanations
// (package explain): the gradient of a score with respect to an activation
// or the image, without the parameter gradients training needs.

// WithoutReLU returns a Conv2d that shares l's parameters (and their
// packed forms) and computes the convolution alone, with buffers of its
// own: l's fused ReLU left to a separate nn.ReLU, so that the
// convolution's own output can be kept, as PyTorch's module has it.
func (l *Conv2d) WithoutReLU() *Conv2d {
	c := *l
	c.ReLU, c.out = false, nil
	return &c
}

// WithoutReLU is Conv2d.WithoutReLU for a Linear.
func (l *Linear) WithoutReLU() *Linear {
	c := *l
	c.ReLU, c.out = false, nil
	return &c
}

// WithoutReLU is Conv2d.WithoutReLU for a BatchNorm2d.
func (l *BatchNorm2d) WithoutReLU() *BatchNorm2d {
	c := *l
	c.ReLU, c.out, c.alpha, c.beta, c.mean, c.invstd, c.varSum, c.trained = false, nil, nil, nil, nil, nil, nil, nil
	return &c
}

// BackwardInput is Backward's dx alone: with ReLU set, dy zeroed where y
// is not positive, then dx = the transposed convolution of that with
// Weight (kernels.ConvBackward without dw and db). g holds the buffers;
// no parameter gradient is added to it.
func (l *Conv2d) BackwardInput(x, y, dy *tensor.Tensor, g *Grads) (*tensor.Tensor, error) {
	dz, err := backwardDz("Conv2d", l, x, y, dy, g, l.ReLU, l.Threads, l.checkParams)
	if err != nil {
		return nil, err
	}
	dx := g.buffer(l, slotDx, x.Shape)
	kernels.ConvBackward(l.geom(x.Shape), l.Algorithm, l.Groups, l.OutC, x.Data, l.Weight.Data, dz.Data,
		nil, nil, dx.Data, x.Shape[0], l.Threads)
	return dx, nil
}

// BackwardInput is Backward's dx alone: dz (dy, zeroed where y is not
// positive with ReLU set) times Weight, (N,In); at batch 1 by
// kernels.GemvT, which reads Weight once in place (Sgemm would pack it).
func (l *Linear) BackwardInput(x, y, dy *tensor.Tensor, g *Grads) (*tensor.Tensor, error) {
	dz, err := backwardDz("Linear", l, x, y, dy, g, l.ReLU, l.Threads, l.checkParams)
	if err != nil {
		return nil, err
	}
	dx := g.buffer(l, slotDx, x.Shape)
	if x.Shape[0] == 1 {
		kernels.GemvT(dx.Data, dz.Data, l.Weight.Data, l.In, l.Threads)
		return dx, nil
	}
	err = kernels.Sgemm(&kernels.Gemm{M: x.Shape[0], N: l.In, K: l.Out,
		A: dz.Data, LDA: l.Out, B: l.Weight.Data, LDB: l.In,
		C: dx.Data, LDC: l.In, Threads: l.Threads})
	if err != nil {
		return nil, fmt.Errorf("nn.Linear backward: %w", err)
	}
	return dx, nil
}

// BackwardInputEval is the input gradient of Forward, in eval mode (the
// running statistics, constants): dx = dz · Weight[c] / sqrt(RunningVar[c]
// + Eps) per channel c, dz being dy zeroed where y is not positive with
// ReLU set. The scale is computed as Forward's (1/sqrtf, then times the
// weight).
func (l *BatchNorm2d) BackwardInputEval(x, y, dy *tensor.Tensor, g *Grads) (*tensor.Tensor, error) {
	dz, err := backwardDz("BatchNorm2d", l, x, y, dy, g, l.ReLU, l.Threads, func() error { return nil })
	if err != nil {
		return nil, err
	}
	dx := g.buffer(l, slotDx, x.Shape)
	plane := len(x.Data) / (x.Shape[0] * l.C)
	eps := float32(l.Eps)
	for i := range x.Shape[0] {
		for c := range l.C {
			a := 1 / float32(math.Sqrt(float64(l.RunningVar.Data[c]+eps))) * l.Weight.Data[c]
			off := (i*l.C + c) * plane
			for k, v := range dz.Data[off : off+plane] {
				dx.Data[off+k] = v * a
			}
		}
	}
	return dx, nil
}
