package nn

import (
	"fmt"

	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/tensor"
)

// Backward is the gradient of Forward: x is (N,In), y and dy are (N,Out).
// With ReLU set, dy is first zeroed where y is not positive (so y must be
// what Forward(x) returned); with dz that result it adds
// ∂L/∂Weight = dzᵀ·x and ∂L/∂Bias = the column sums of dz to g and
// returns dx = dz·Weight (N,In), the products by Sgemm, all over Threads
// goroutines but the column sums.
func (l *Linear) Backward(x, y, dy *tensor.Tensor, g *Grads) (*tensor.Tensor, error) {
	dz, err := backwardDz("Linear", l, x, y, dy, g, l.ReLU, l.Threads, l.checkParams)
	if err != nil {
		return nil, err
	}
	n := x.Shape[0]
	err = kernels.Sgemm(&kernels.Gemm{M: l.Out, N: l.In, K: n,
		A: dz.Data, LDA: l.Out, TransA: true, B: x.Data, LDB: l.In,
		C: g.Of(l.Weight).Data, LDC: l.In, Accumulate: true, Threads: l.Threads})
	if err != nil {
		return nil, fmt.Errorf("nn.Linear backward: %w", err)
	}
	kernels.AddColSums(n, l.Out, dz.Data, g.Of(l.Bias).Data)
	dx := g.buffer(l, slotDx, x.Shape)
	err = kernels.Sgemm(&kernels.Gemm{M: n, N: l.In, K: l.Out,
		A: dz.Data, LDA: l.Out, B: l.Weight.Data, LDB: l.In,
		C: dx.Data, LDC: l.In, Threads: l.Threads})
	if err != nil {
		return nil, fmt.Errorf("nn.Linear backward: %w", err)
	}
	return dx, nil
}
