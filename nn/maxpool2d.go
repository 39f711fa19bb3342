package nn

import (
	"fmt"
	"math"

	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/tensor"
)

// MaxPool2d is torch.nn.MaxPool2d(Kernel, Stride, ceil_mode=Ceil) with
// padding 0, dilation 1: x is (N,C,H,W), y is (N,C,OH,OW) with
// OH = floor((H-Kernel)/Stride)+1, or with Ceil
// OH = ceil((H-Kernel)/Stride)+1 (Caffe's pooling; PyTorch's rule that a
// window starts inside the input always holds without padding): the last
// windows then reach past the input's end and take the maximum of the
// part inside.
type MaxPool2d struct {
	Kernel, Stride int
	Ceil           bool
	// Threads is the goroutine count the planes are split over (below 1
	// means 1).
	Threads int

	out    *tensor.Tensor
	padded *tensor.Tensor // with Ceil, the input extended with -inf
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

// extra is how many rows (columns) of -inf the input of side n needs at
// its end for the windows of Ceil: 0 without Ceil or where ceil and floor
// agree.
func (l *MaxPool2d) extra(n int) int {
	if !l.Ceil || n < l.Kernel {
		return 0
	}
	out := (n-l.Kernel+l.Stride-1)/l.Stride + 1
	return (out-1)*l.Stride + l.Kernel - n
}

// extended is x, or with Ceil a copy of x extended at the bottom and
// right with -inf (into *buf) so that floor pooling of it is ceil pooling
// of x.
func (l *MaxPool2d) extended(x *tensor.Tensor, buf **tensor.Tensor) *tensor.Tensor {
	eh, ew := l.extra(x.Shape[2]), l.extra(x.Shape[3])
	if eh == 0 && ew == 0 {
		return x
	}
	n, c, h, w := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	shape := []int{n, c, h + eh, w + ew}
	if *buf == nil || !tensor.SameShape((*buf).Shape, shape) {
		*buf = tensor.New(shape...)
	}
	p, ninf := *buf, float32(math.Inf(-1))
	for i := range p.Data {
		p.Data[i] = ninf
	}
	for pl := 0; pl < n*c; pl++ {
		for y := 0; y < h; y++ {
			copy(p.Data[(pl*(h+eh)+y)*(w+ew):], x.Data[(pl*h+y)*w:(pl*h+y+1)*w])
		}
	}
	return p
}

// OutputShape returns (N, C, OH, OW).
func (l *MaxPool2d) OutputShape(in []int) ([]int, error) {
	if err := checkNCHW("nn.MaxPool2d", in, 0); err != nil {
		return nil, err
	}
	if l.Kernel < 1 || l.Stride < 1 || in[2] < l.Kernel || in[3] < l.Kernel {
		return nil, &tensor.ShapeError{Op: "nn.MaxPool2d", Got: in, Msg: fmt.Sprintf("input smaller than kernel %d", l.Kernel)}
	}
	g := l.geom([]int{in[0], in[1], in[2] + l.extra(in[2]), in[3] + l.extra(in[3])})
	return []int{in[0], in[1], g.OH(), g.OW()}, nil
}

// Forward applies kernels.MaxPool2dThreads over the N*C planes.
func (l *MaxPool2d) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	y, err := forwardOut("nn.MaxPool2d", l, x, &l.out)
	if err != nil {
		return nil, err
	}
	x = l.extended(x, &l.padded)
	kernels.MaxPool2dThreads(l.geom(x.Shape), x.Data, y.Data, l.Threads)
	return y, nil
}
