package nn

import (
	"fmt"

	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/tensor"
)

// MaxPool2d is torch.nn.MaxPool2d(Kernel, Stride) with padding 0, dilation
// 1, ceil_mode false: x is (N,C,H,W), y is (N,C,OH,OW) with
// OH = floor((H-Kernel)/Stride)+1.
type MaxPool2d struct {
	Kernel, Stride int
	// Threads is the goroutine count the planes are split over (below 1
	// means 1).
	Threads int

	out *tensor.Tensor
}

// NewMaxPool2d returns a MaxPool2d.
func NewMaxPool2d(kernel, stride int) (*MaxPool2d, error) {
	return validated(&MaxPool2d{Kernel: kernel, Stride: stride, Threads: 1})
}

// validate checks the hyperparameters.
func (l *MaxPool2d) validate() error {
	if l.Kernel < 1 || l.Stride < 1 {
		return &ConfigError{"MaxPool2d", fmt.Sprintf("kernel %d stride %d", l.Kernel, l.Stride)}
	}
	return nil
}

// SetThreads sets Threads.
func (l *MaxPool2d) SetThreads(n int) { l.Threads = n }

// Params returns nil.
func (*MaxPool2d) Params() []Param { return nil }

func (l *MaxPool2d) geom(in []int) kernels.ConvGeom {
	return kernels.ConvGeom{C: in[0] * in[1], H: in[2], W: in[3], KH: l.Kernel, KW: l.Kernel, SH: l.Stride, SW: l.Stride}
}

// OutputShape returns (N, C, OH, OW).
func (l *MaxPool2d) OutputShape(in []int) ([]int, error) {
	if err := checkNCHW("nn.MaxPool2d", in, 0); err != nil {
		return nil, err
	}
	if l.Kernel < 1 || l.Stride < 1 || in[2] < l.Kernel || in[3] < l.Kernel {
		return nil, &tensor.ShapeError{Op: "nn.MaxPool2d", Got: in, Msg: fmt.Sprintf("input smaller than kernel %d", l.Kernel)}
	}
	g := l.geom(in)
	return []int{in[0], in[1], g.OH(), g.OW()}, nil
}

// Forward applies kernels.MaxPool2dThreads over the N*C planes.
func (l *MaxPool2d) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	y, err := forwardOut("nn.MaxPool2d", l, x, &l.out)
	if err != nil {
		return nil, err
	}
	kernels.MaxPool2dThreads(l.geom(x.Shape), x.Data, y.Data, l.Threads)
	return y, nil
}
