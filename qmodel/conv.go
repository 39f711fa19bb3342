package qmodel

import (
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/nn"
	"github.com/alexnet-go/alexnet/quant"
	"github.com/alexnet-go/alexnet/tensor"
)

// conv is an int8 Conv2d (groups 1): x is (N,InC,H,W), y (N,OutC,OH,OW).
// It runs as a GEMM over the im2col rows of its uint8 NHWC input, one
// row per output pixel: A[p, (ky·k+kx)·InC+c] = x[c, oy·stride−pad+ky,
// ox·stride−pad+kx], the k·InC bytes of each ky one copy from the padded
// input; K is rounded up to a multiple of 4 with zero weights.
type conv struct {
	*gemm
	inC, outC, k, stride, pad int
	kp                        int     // K = k·k·InC rounded up to 4
	skip                      int     // the modules after it that it includes (a batch norm)
	in, out                   qtensor // the quantized input when given float32; the uint8 output
}

// stripPixels is about how many output pixels one GEMM call takes: the
// im2col rows (up to 880 KB for conv4) and the int32 sums stay in L2.
const stripPixels = 256

func newConv(l *quant.Layer, c *nn.Conv2d, relu bool, threads int) (*conv, error) {
	if c.Groups != 1 {
		return nil, &UnsupportedError{l.Name, "grouped convolution"}
	}
	if !slices.Equal(l.Shape, []int{c.OutC, c.InC, c.Kernel, c.Kernel}) || len(l.Weight) != c.OutC*c.InC*c.Kernel*c.Kernel {
		return nil, &UnsupportedError{l.Name, fmt.Sprintf("weight shape %v, want %v", l.Shape, c.Weight.Shape)}
	}
	k, inC := c.Kernel, c.InC
	kp := (k*k*inC + 3) &^ 3
	w := make([]int8, c.OutC*kp)
	for o := range c.OutC {
		for ch := range inC {
			for t := range k * k {
				w[o*kp+t*inC+ch] = l.Weight[(o*inC+ch)*k*k+t]
			}
		}
	}
	g, err := newGemm(l, w, kp, threads, relu)
	if err != nil {
		return nil, err
	}
	return &conv{gemm: g, inC: inC, outC: c.OutC, k: k, stride: c.Stride, pad: c.Padding, kp: kp}, nil
}

// input returns v as the layer's uint8 input: v's own when it is quantized
// with the layer's input quantizer and padded as the layer reads it, else
// a copy quantized into l.in.
func (l *conv) input(v value) (*qtensor, error) {
	if q := v.q; q != nil {
		if q.c != l.inC {
			return nil, &tensor.ShapeError{Op: "qmodel.conv", Got: []int{q.n, q.c, q.h, q.w}, Msg: fmt.Sprintf("want (N, %d, H, W)", l.inC)}
		}
		if q.pad == l.pad && q.p == l.gemm.in {
			return q, nil
		}
		v = value{f: q.dequantize(false)}
	}
	if len(v.f.Shape) != 4 || v.f.Shape[1] != l.inC {
		return nil, &tensor.ShapeError{Op: "qmodel.conv", Got: v.f.Shape, Msg: fmt.Sprintf("want (N, %d, H, W)", l.inC)}
	}
	quantizeInto(&l.in, v.f, l.gemm.in, l.pad, l.threads)
	return &l.in, nil
}

func (l *conv) forward(v value) (value, error) {
	x, err := l.input(v)
	if err != nil {
		return value{}, err
	}
	oh, ow := (x.h+2*l.pad-l.k)/l.stride+1, (x.w+2*l.pad-l.k)/l.stride+1
	if oh < 1 || ow < 1 {
		return value{}, &tensor.ShapeError{Op: "qmodel.conv", Got: []int{x.n, x.c, x.h, x.w}, Msg: "input smaller than the kernel"}
	}
	var y *tensor.Tensor
	if t := l.gemm.out; t.q {
		l.out.reshape(x.n, l.outC, oh, ow, t.pad, t.p)
	} else {
		y = tensor.New(x.n, l.outC, oh, ow)
	}
	// Strips of rs output rows, at least 4 a goroutine when the batch is small.
	rs := max(1, min(max(1, stripPixels/ow), (x.n*oh+4*l.threads-1)/(4*l.threads)))
	per := (oh + rs - 1) / rs
	var errs errOnce
	// Each goroutine claims the next strip until none is left, so that one
	// slowed by another process (the cores are shared) takes fewer.
	var next atomic.Int64
	items := int64(x.n * per)
	kernels.ParFor(min(l.threads, x.n*per), 1, l.threads, func(lo, hi int) {
		s := l.scratch.get()
		defer l.scratch.put(s)
		for it := next.Add(1) - 1; it < items; it = next.Add(1) - 1 {
			i, y0 := int(it)/per, int(it)%per*rs
			errs.set(l.strip(s, x, y, i, y0, min(y0+rs, oh), ow))
		}
	})
	if y != nil {
		return value{f: y}, errs.err
	}
	return value{q: &l.out}, errs.err
}

// strip computes output rows [y0, y1) of image i: im2col, GEMM, then the
// sums requantized into l.out, or dequantized into y when it is not nil.
func (l *conv) strip(s *scratch, x *qtensor, y *tensor.Tensor, i, y0, y1, ow int) error {
	m, kc := (y1-y0)*ow, l.k*l.inC
	s.a = grow(s.a, m*l.kp)
	for oy := y0; oy < y1; oy++ {
		// The window of pixel ox starts at column ox·stride−pad of input
		// row oy·stride−pad, its rows a padded input row apart.
		kernels.Im2colU8(s.a[(oy-y0)*ow*l.kp:], l.kp, x.at(i, oy*l.stride-l.pad, -l.pad), l.stride*l.inC, x.wp()*l.inC, kc, l.k, ow)
	}
	if err := l.multiply(s, s.a, m); err != nil {
		return err
	}
	if y == nil {
		for oy := y0; oy < y1; oy++ {
			kernels.RequantizeU8(l.out.at(i, oy, 0), l.outC, s.c[(oy-y0)*ow*l.outC:], l.outC, ow, l.outC, &l.rq)
		}
		return nil
	}
	s.f = grow(s.f, m*l.outC)
	kernels.DequantizeF32(s.f, l.outC, s.c, l.outC, m, l.outC, &l.rq)
	plane := y.Shape[2] * ow
	out := y.Data[i*l.outC*plane+y0*ow:]
	for p := range m {
		for o, v := range s.f[p*l.outC : (p+1)*l.outC] {
			out[o*plane+p] = v
		}
	}
	return nil
}
