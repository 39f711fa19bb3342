package nn

import (
	"fmt"

	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/tensor"
)

// Linear is a fully connected layer, torch.nn.Linear: x is (N,In), y is
// (N,Out) = x·Weightᵀ + Bias with Weight (Out,In) and Bias (Out).
type Linear struct {
	In, Out      int
	Weight, Bias *tensor.Tensor
	// Threads is the goroutine count given to Sgemm (below 1 means 1).
	Threads int
	// ReLU applies max(0, ·) in the GEMM epilogue: the torch.nn.ReLU that
	// follows, fused (that ReLU is then nn.ReLU{Fused: true}).
	ReLU bool

	out *tensor.Tensor
}

// NewLinear returns a Linear with zero weights and bias.
func NewLinear(in, out int) (*Linear, error) {
	if in < 1 || out < 1 {
		return nil, &ConfigError{"Linear", fmt.Sprintf("in %d out %d", in, out)}
	}
	return &Linear{In: in, Out: out, Weight: tensor.New(out, in), Bias: tensor.New(out), Threads: 1}, nil
}

// SetThreads sets Threads.
func (l *Linear) SetThreads(n int) { l.Threads = n }

// Params returns weight and bias.
func (l *Linear) Params() []Param { return []Param{{"weight", l.Weight}, {"bias", l.Bias}} }

// OutputShape returns (N, Out).
func (l *Linear) OutputShape(in []int) ([]int, error) {
	if len(in) != 2 || in[0] < 1 || in[1] != l.In {
		return nil, &tensor.ShapeError{Op: "nn.Linear", Got: in, Want: []int{-1, l.In}, Msg: "want (N, In)"}
	}
	return []int{in[0], l.Out}, nil
}

// MACs is N*In*Out.
func (l *Linear) MACs(in []int) int64 { return int64(in[0]) * int64(l.In) * int64(l.Out) }

// Forward computes y = x·Weightᵀ + Bias (then ReLU if set) with one Sgemm.
func (l *Linear) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	y, err := forwardOut("nn.Linear", l, x, &l.out, l.checkParams)
	if err != nil {
		return nil, err
	}
	err = kernels.Sgemm(&kernels.Gemm{M: x.Shape[0], N: l.Out, K: l.In,
		A: x.Data, LDA: l.In, B: l.Weight.Data, LDB: l.In, TransB: true,
		C: y.Data, LDC: l.Out, ColBias: l.Bias.Data, ReLU: l.ReLU, Threads: l.Threads})
	if err != nil {
		return nil, fmt.Errorf("nn.Linear: %w", err)
	}
	return y, nil
}

// checkParams checks that Weight is (Out, In) and Bias has Out values.
func (l *Linear) checkParams() error {
	if l.Weight == nil || !tensor.SameShape(l.Weight.Shape, []int{l.Out, l.In}) || len(l.Weight.Data) != l.Out*l.In {
		return &tensor.ShapeError{Op: "nn.Linear weight", Got: shapeOf(l.Weight), Want: []int{l.Out, l.In}}
	}
	if l.Bias == nil || len(l.Bias.Data) != l.Out {
		return &tensor.ShapeError{Op: "nn.Linear bias", Got: shapeOf(l.Bias), Want: []int{l.Out}}
	}
	return nil
}
