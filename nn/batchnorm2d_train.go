package nn

import (
	"math"

	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/tensor"
)

// ForwardTrain is Forward in training mode, as PyTorch's CPU kernel
// computes it: x and y are (N,C,H,W) with m = N*H*W > 1. Per channel c,
// kernels.BatchNormStats gives the batch mean and the sum of squared
// deviations q (accumulated in float64); then
//
//	var    = float32(q / m)                          (the biased variance)
//	invstd = float32(1 / sqrt(float64(var) + Eps))   (0 if var and Eps are 0)
//	y      = (x - mean)*invstd*Weight + Bias         (and ReLU)
//
// computed as Forward computes it from mean and invstd, and the running
// statistics move towards the batch's, with mo = float32(Momentum):
//
//	RunningMean = mo*mean + (1-mo)*RunningMean       (in float32)
//	RunningVar  = float32(mo*float32(q/(m-1)) + float32((1-mo)*RunningVar))
//
// (q/(m-1) is the unbiased variance; that last sum is in float64), and NumBatchesTracked
// grows by one. The mean and invstd are kept for Backward.
func (l *BatchNorm2d) ForwardTrain(x *tensor.Tensor) (*tensor.Tensor, error) {
	if err := l.check("nn.BatchNorm2d", x); err != nil {
		return nil, err
	}
	s := x.Shape
	n, hw := s[0], s[2]*s[3]
	m := n * hw
	if m < 2 {
		return nil, &tensor.ShapeError{Op: "nn.BatchNorm2d", Got: s, Msg: "training needs more than 1 value per channel"}
	}
	c := l.C
	l.mean, l.invstd, l.varSum = resize(l.mean, c), resize(l.invstd, c), resize(l.varSum, c)
	l.alpha, l.beta = resize(l.alpha, c), resize(l.beta, c)
	kernels.BatchNormStats(n, c, hw, x.Data, l.mean, l.varSum, l.Threads)
	mo := float32(l.Momentum)
	for ch := range c {
		q := l.varSum[ch]
		v := q / float32(m)
		l.invstd[ch] = 0 // PyTorch's InvStd where var and Eps are 0
		if v != 0 || l.Eps != 0 {
			l.invstd[ch] = float32(1 / math.Sqrt(float64(v)+l.Eps))
		}
		l.setAffine(ch, l.mean[ch], l.invstd[ch])
		rm, rv := &l.RunningMean.Data[ch], &l.RunningVar.Data[ch]
		*rm = float32(mo*l.mean[ch]) + float32((1-mo)*(*rm))
		unbiased := q / float32(m-1)
		*rv = float32(float64(mo)*float64(unbiased) + float64(float32((1-mo)*(*rv))))
	}
	l.NumBatchesTracked++
	l.trained = append(l.trained[:0], s...)
	return l.apply(x), nil
}
