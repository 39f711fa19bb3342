package nn

import (
	"fmt"

	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/tensor"
)

// LocalResponseNorm is torch.nn.LocalResponseNorm(Size, Alpha, Beta, K)
// across channels: x and y are (N,C,H,W) (or any (N,C,...));
// y = x / (K + Alpha/Size * sum of x² over channels c-Size/2..c+(Size-1)/2)^Beta.
type LocalResponseNorm struct {
	Size           int
	Alpha, Beta, K float32
	// Threads is the goroutine count the work is split over (below 1
	// means 1).
	Threads int

	out *tensor.Tensor
}

// NewLocalResponseNorm returns a LocalResponseNorm.
func NewLocalResponseNorm(size int, alpha, beta, k float32) (*LocalResponseNorm, error) {
	return validated(&LocalResponseNorm{Size: size, Alpha: alpha, Beta: beta, K: k, Threads: 1})
}

// validate checks the hyperparameters.
func (l *LocalResponseNorm) validate() error {
	if l.Size < 1 {
		return &ConfigError{"LocalResponseNorm", fmt.Sprintf("size %d", l.Size)}
	}
	return nil
}

// SetThreads sets Threads.
func (l *LocalResponseNorm) SetThreads(n int) { l.Threads = n }

// Params returns nil.
func (*LocalResponseNorm) Params() []Param { return nil }

// OutputShape returns in, which must have at least 3 dimensions.
func (l *LocalResponseNorm) OutputShape(in []int) ([]int, error) {
	if len(in) < 3 {
		return nil, &tensor.ShapeError{Op: "nn.LocalResponseNorm", Got: in, Msg: "want (N, C, ...) with 3 or more dimensions"}
	}
	return append([]int(nil), in...), nil
}

// Forward applies kernels.LRNThreads.
func (l *LocalResponseNorm) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	y, err := forwardOut("nn.LocalResponseNorm", l, x, &l.out, l.validate)
	if err != nil {
		return nil, err
	}
	kernels.LRNThreads(x.Shape[0], x.Shape[1], tensor.Numel(x.Shape[2:]), l.Size, l.Alpha, l.Beta, l.K, x.Data, y.Data, l.Threads)
	return y, nil
}
