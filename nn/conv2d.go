package nn

import (
	"fmt"

	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/tensor"
)

// Conv2d is a 2-D convolution, torch.nn.Conv2d with square kernel, stride
// and zero padding, dilation 1, and a bias. x is (N,InC,H,W); y is
// (N,OutC,OH,OW) with OH = floor((H+2*Padding-Kernel)/Stride)+1.
// Weight is (OutC, InC/Groups, Kernel, Kernel); Bias is (OutC).
type Conv2d struct {
	InC, OutC, Kernel, Stride, Padding, Groups int
	Weight, Bias                               *tensor.Tensor
	// Threads is the goroutine count of Forward (below 1 means 1).
	Threads int
	// ReLU applies max(0, ·) in the GEMM epilogue: the torch.nn.ReLU that
	// follows the convolution, fused (that ReLU is then nn.ReLU{Fused: true}).
	ReLU bool
	// Algorithm chooses direct or Winograd convolutions, forward and
	// backward; the zero value is kernels.AutoConv.
	Algorithm kernels.ConvAlgorithm

	out    *tensor.Tensor
	packed *kernels.ConvWeights     // Weight packed for the active kernels
	wino   *kernels.WinogradWeights // or transformed, for 3×3 stride 1
	from   *float32                 // &Weight.Data[0] when packed
}

// NewConv2d returns a Conv2d with zero weights and bias.
func NewConv2d(inC, outC, kernel, stride, padding, groups int) (*Conv2d, error) {
	switch {
	case inC < 1 || outC < 1 || kernel < 1 || stride < 1 || padding < 0 || groups < 1:
		return nil, &ConfigError{"Conv2d", fmt.Sprintf("in %d out %d kernel %d stride %d padding %d groups %d",
			inC, outC, kernel, stride, padding, groups)}
	case inC%groups != 0 || outC%groups != 0:
		return nil, &ConfigError{"Conv2d", fmt.Sprintf("channels %d, %d not divisible by groups %d", inC, outC, groups)}
	}
	return &Conv2d{InC: inC, OutC: outC, Kernel: kernel, Stride: stride, Padding: padding, Groups: groups,
		Weight: tensor.New(outC, inC/groups, kernel, kernel), Bias: tensor.New(outC), Threads: 1}, nil
}

// SetThreads sets Threads.
func (l *Conv2d) SetThreads(n int) { l.Threads = n }

// Params returns weight and bias.
func (l *Conv2d) Params() []Param { return []Param{{"weight", l.Weight}, {"bias", l.Bias}} }

func (l *Conv2d) geom(in []int) kernels.ConvGeom {
	return kernels.ConvGeom{C: l.InC / l.Groups, H: in[2], W: in[3], KH: l.Kernel, KW: l.Kernel,
		SH: l.Stride, SW: l.Stride, PH: l.Padding, PW: l.Padding}
}

// OutputShape returns (N, OutC, OH, OW).
func (l *Conv2d) OutputShape(in []int) ([]int, error) {
	if err := checkNCHW("nn.Conv2d", in, l.InC); err != nil {
		return nil, err
	}
	g := l.geom(in)
	if g.OH() < 1 || g.OW() < 1 {
		return nil, &tensor.ShapeError{Op: "nn.Conv2d", Got: in, Msg: fmt.Sprintf("input smaller than kernel %d with padding %d", l.Kernel, l.Padding)}
	}
	return []int{in[0], l.OutC, g.OH(), g.OW()}, nil
}

// MACs is N*OutC*OH*OW*(InC/Groups)*Kernel².
func (l *Conv2d) MACs(in []int) int64 {
	out, _ := l.OutputShape(in)
	return int64(tensor.Numel(out)) * int64(l.InC/l.Groups*l.Kernel*l.Kernel)
}

// Forward convolves each image and group as a GEMM of the packed weights
// with the image's im2col, bias (and ReLU) in the epilogue, or, for 3×3
// and 5×5 stride-1 kernels where Algorithm allows, with Winograd
// F(2×2, 3×3) or F(2×2, 5×5);
// whole images go to separate goroutines when the batch has at least
// Threads of them. The weights are packed (transformed) on the first call
// and again after ParamsChanged.
func (l *Conv2d) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	y, err := forwardOut("nn.Conv2d", l, x, &l.out, l.checkParams)
	if err != nil {
		return nil, err
	}
	g := l.geom(x.Shape)
	if l.Algorithm.Winograd(g) {
		if l.wino == nil || !l.wino.Current() || l.from != &l.Weight.Data[0] {
			l.wino = kernels.PackWinogradWeights(l.Weight.Data, l.OutC, g.C, l.Kernel, l.Groups)
			l.from = &l.Weight.Data[0]
		}
		kernels.ConvWinograd(g, l.wino, l.Bias.Data, x.Data, y.Data, x.Shape[0], l.ReLU, l.Threads)
		return y, nil
	}
	if l.packed == nil || !l.packed.Current() || l.from != &l.Weight.Data[0] {
		k := g.C * g.KH * g.KW
		l.packed = kernels.PackConvWeights(l.Weight.Data, l.OutC, k, l.Groups)
		l.from = &l.Weight.Data[0]
	}
	kernels.ConvBatch(g, l.packed, l.Bias.Data, x.Data, y.Data, x.Shape[0], l.ReLU, l.Threads)
	return y, nil
}

// ParamsChanged drops the packed copy of Weight: call it after writing
// Weight.Data in place (model.AlexNet.LoadStateDict does).
func (l *Conv2d) ParamsChanged() { l.packed, l.wino = nil, nil }

func (l *Conv2d) checkParams() error {
	want := []int{l.OutC, l.InC / l.Groups, l.Kernel, l.Kernel}
	if l.Weight == nil || !tensor.SameShape(l.Weight.Shape, want) || len(l.Weight.Data) != tensor.Numel(want) {
		return &tensor.ShapeError{Op: "nn.Conv2d weight", Got: shapeOf(l.Weight), Want: want}
	}
	if l.Bias == nil || !tensor.SameShape(l.Bias.Shape, []int{l.OutC}) || len(l.Bias.Data) != l.OutC {
		return &tensor.ShapeError{Op: "nn.Conv2d bias", Got: shapeOf(l.Bias), Want: []int{l.OutC}}
	}
	return nil
}

func shapeOf(t *tensor.Tensor) []int {
	if t == nil {
		return nil
	}
	return t.Shape
}
