package nn

import (
	"fmt"

	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/tensor"
)

// AdaptiveAvgPool2d is torch.nn.AdaptiveAvgPool2d((OutH, OutW)): x is
// (N,C,H,W), y is (N,C,OutH,OutW), averaging PyTorch's windows
// [floor(i*H/OutH), ceil((i+1)*H/OutH)).
type AdaptiveAvgPool2d struct {
	OutH, OutW int
	// Threads is the goroutine count the planes are split over (below 1
	// means 1).
	Threads int

	out *tensor.Tensor
}

// NewAdaptiveAvgPool2d returns an AdaptiveAvgPool2d.
func NewAdaptiveAvgPool2d(outH, outW int) (*AdaptiveAvgPool2d, error) {
	return validated(&AdaptiveAvgPool2d{OutH: outH, OutW: outW, Threads: 1})
}

// validate checks the hyperparameters.
func (l *AdaptiveAvgPool2d) validate() error {
	if l.OutH < 1 || l.OutW < 1 {
		return &ConfigError{"AdaptiveAvgPool2d", fmt.Sprintf("output %dx%d", l.OutH, l.OutW)}
	}
	return nil
}

// SetThreads sets Threads.
func (l *AdaptiveAvgPool2d) SetThreads(n int) { l.Threads = n }

// Params returns nil.
func (*AdaptiveAvgPool2d) Params() []Param { return nil }

// OutputShape returns (N, C, OutH, OutW).
func (l *AdaptiveAvgPool2d) OutputShape(in []int) ([]int, error) {
	if err := checkNCHW("nn.AdaptiveAvgPool2d", in, 0); err != nil {
		return nil, err
	}
	if err := l.validate(); err != nil {
		return nil, err
	}
	return []int{in[0], in[1], l.OutH, l.OutW}, nil
}

// Forward applies kernels.AdaptiveAvgPool2dThreads over the N*C planes.
func (l *AdaptiveAvgPool2d) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	y, err := forwardOut("nn.AdaptiveAvgPool2d", l, x, &l.out)
	if err != nil {
		return nil, err
	}
	kernels.AdaptiveAvgPool2dThreads(x.Shape[0]*x.Shape[1], x.Shape[2], x.Shape[3], l.OutH, l.OutW, x.Data, y.Data, l.Threads)
	return y, nil
}
