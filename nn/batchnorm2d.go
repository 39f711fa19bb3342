package nn

import (
	"fmt"
	"math"

	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/tensor"
)

// BatchNorm2d is torch.nn.BatchNorm2d(C) with affine weight and bias and
// tracked running statistics: x and y are (N,C,H,W), normalised per
// channel c by
//
//	y = (x - mean[c]) / sqrt(var[c] + Eps) * Weight[c] + Bias[c]
//
// where mean and var are RunningMean and RunningVar in Forward (eval
// mode) and the batch's statistics in ForwardTrain (training mode, which
// also updates the running ones). Weight, Bias, RunningMean and RunningVar
// are (C).
type BatchNorm2d struct {
	C int
	// Eps is added to the variance; Momentum is the weight of the batch
	// statistics in the running ones (PyTorch's momentum, not None).
	Eps, Momentum                         float64
	Weight, Bias, RunningMean, RunningVar *tensor.Tensor
	// NumBatchesTracked counts the ForwardTrain calls, PyTorch's int64
	// num_batches_tracked buffer.
	NumBatchesTracked int64
	// ReLU applies max(0, ·) to the output in the same pass: the
	// torch.nn.ReLU that follows the layer, fused (that ReLU is then
	// nn.ReLU{Fused: true}).
	ReLU bool
	// Threads is the goroutine count the work is split over (below 1
	// means 1).
	Threads int

	out         *tensor.Tensor
	alpha, beta []float32 // per-channel scale and shift of the last forward
	// Of the last ForwardTrain, for Backward: the batch mean and
	// 1/sqrt(var+Eps) per channel, the variance sums, and the input's
	// shape (nil when there was none, or a Forward came after it).
	mean, invstd, varSum []float32
	trained              []int
}

// NewBatchNorm2d returns a BatchNorm2d with PyTorch's defaults: Eps 1e-5,
// Momentum 0.1, Weight 1, Bias 0, RunningMean 0, RunningVar 1.
func NewBatchNorm2d(c int) (*BatchNorm2d, error) {
	if c < 1 {
		return nil, &ConfigError{"BatchNorm2d", fmt.Sprintf("channels %d", c)}
	}
	l := &BatchNorm2d{C: c, Eps: 1e-5, Momentum: 0.1, Weight: tensor.New(c), Bias: tensor.New(c),
		RunningMean: tensor.New(c), RunningVar: tensor.New(c), Threads: 1}
	for i := range c {
		l.Weight.Data[i], l.RunningVar.Data[i] = 1, 1
	}
	return l, nil
}

// SetThreads sets Threads.
func (l *BatchNorm2d) SetThreads(n int) { l.Threads = n }

// Params returns the trainable parameters, weight and bias.
func (l *BatchNorm2d) Params() []Param { return []Param{{"weight", l.Weight}, {"bias", l.Bias}} }

// Buffers returns the float32 buffers, running_mean and running_var, in
// PyTorch's state_dict order (which puts them after weight and bias, and
// ends with num_batches_tracked, the int64 NumBatchesTracked).
func (l *BatchNorm2d) Buffers() []Param {
	return []Param{{"running_mean", l.RunningMean}, {"running_var", l.RunningVar}}
}

// OutputShape returns in, which must be (N, C, H, W).
func (l *BatchNorm2d) OutputShape(in []int) ([]int, error) {
	if l.C < 1 {
		return nil, &ConfigError{"BatchNorm2d", fmt.Sprintf("channels %d", l.C)}
	}
	if err := checkNCHW("nn.BatchNorm2d", in, l.C); err != nil {
		return nil, err
	}
	return append([]int(nil), in...), nil
}

// Forward is eval mode, as PyTorch's CPU kernel computes it: per channel
// alpha = Weight/sqrt(RunningVar + float32(Eps)) and beta = Bias -
// RunningMean*alpha (the product and difference rounded once), all in
// float32, then y = x*alpha + beta (and ReLU) with kernels.BatchNormApply.
// It ends the training state of a ForwardTrain before it: Backward then
// fails until the next ForwardTrain.
func (l *BatchNorm2d) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	if err := l.check("nn.BatchNorm2d", x); err != nil {
		return nil, err
	}
	l.trained = nil
	l.alpha, l.beta = resize(l.alpha, l.C), resize(l.beta, l.C)
	eps := float32(l.Eps)
	for c := range l.C {
		is := 1 / float32(math.Sqrt(float64(l.RunningVar.Data[c]+eps)))
		l.setAffine(c, l.RunningMean.Data[c], is)
	}
	return l.apply(x), nil
}

// setAffine sets alpha[c] = invstd*Weight[c] and beta[c] = Bias[c] -
// mean*alpha[c], rounded once.
func (l *BatchNorm2d) setAffine(c int, mean, invstd float32) {
	a := invstd * l.Weight.Data[c]
	l.alpha[c] = a
	l.beta[c] = float32(float64(l.Bias.Data[c]) - float64(mean)*float64(a))
}

// apply writes x*alpha + beta (and ReLU) to the output buffer.
func (l *BatchNorm2d) apply(x *tensor.Tensor) *tensor.Tensor {
	y := reuse(&l.out, x.Shape)
	s := x.Shape
	kernels.BatchNormApply(s[0], s[1], s[2]*s[3], l.alpha, l.beta, x.Data, y.Data, l.ReLU, l.Threads)
	return y
}

// check checks the configuration, the parameters and the input x.
func (l *BatchNorm2d) check(op string, x *tensor.Tensor) error {
	if err := checkData(op, x); err != nil {
		return err
	}
	if _, err := l.OutputShape(x.Shape); err != nil {
		return err
	}
	for _, p := range [...]Param{{"weight", l.Weight}, {"bias", l.Bias}, {"running_mean", l.RunningMean}, {"running_var", l.RunningVar}} {
		if p.T == nil || !tensor.SameShape(p.T.Shape, []int{l.C}) || len(p.T.Data) != l.C {
			return &tensor.ShapeError{Op: op + " " + p.Name, Got: shapeOf(p.T), Want: []int{l.C}}
		}
	}
	return nil
}

// resize returns s if it has length n, else a new slice of length n.
func resize(s []float32, n int) []float32 {
	if len(s) != n {
		return make([]float32, n)
	}
	return s
}

// The interfaces BatchNorm2d implements.
var (
	_ Backwarder = (*BatchNorm2d)(nil)
	_ Threader   = (*BatchNorm2d)(nil)
	_ Bufferer   = (*BatchNorm2d)(nil)
)
