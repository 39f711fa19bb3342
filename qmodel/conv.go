package qmodel

import (
	"fmt"
	"slices"

	"github.com/alexnet-go/alexnet/nn"
	"github.com/alexnet-go/alexnet/quant"
	"github.com/alexnet-go/alexnet/tensor"
)

// conv is an int8 Conv2d (groups 1): x is (N,InC,H,W), y (N,OutC,OH,OW).
type conv struct {
	*gemm
	inC, outC, k, stride, pad int
	q                         []uint8 // the quantized input, NCHW
}

func newConv(l *quant.Layer, c *nn.Conv2d, relu bool, threads int) (*conv, error) {
	if c.Groups != 1 {
		return nil, &UnsupportedError{l.Name, "grouped convolution"}
	}
	if !slices.Equal(l.Shape, []int{c.OutC, c.InC, c.Kernel, c.Kernel}) {
		return nil, &UnsupportedError{l.Name, fmt.Sprintf("weight shape %v, want %v", l.Shape, c.Weight.Shape)}
	}
	g, err := newGemm(l, c.InC*c.Kernel*c.Kernel, threads, relu)
	if err != nil {
		return nil, err
	}
	return &conv{gemm: g, inC: c.InC, outC: c.OutC, k: c.Kernel, stride: c.Stride, pad: c.Padding}, nil
}

func (l *conv) forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	if len(x.Shape) != 4 || x.Shape[1] != l.inC {
		return nil, &tensor.ShapeError{Op: "qmodel.conv", Got: x.Shape, Msg: fmt.Sprintf("want (N, %d, H, W)", l.inC)}
	}
	n, h, w := x.Shape[0], x.Shape[2], x.Shape[3]
	oh, ow := (h+2*l.pad-l.k)/l.stride+1, (w+2*l.pad-l.k)/l.stride+1
	if oh < 1 || ow < 1 {
		return nil, &tensor.ShapeError{Op: "qmodel.conv", Got: x.Shape, Msg: "input smaller than the kernel"}
	}
	l.q = grow(l.q, len(x.Data))
	parallel(len(x.Data), l.threads, func(lo, hi int) { quant.QuantizeSlice(l.q[lo:hi], x.Data[lo:hi], l.in) })
	kk, plane, size := l.inC*l.k*l.k, oh*ow, l.inC*h*w
	l.a = grow(l.a, n*plane*kk)
	parallel(n*oh, l.threads, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			i, oy := r/oh, r%oh
			l.im2colRow(l.a[(i*plane+oy*ow)*kk:], l.q[i*size:(i+1)*size], h, w, oy, ow)
		}
	})
	if err := l.run(n * plane); err != nil {
		return nil, err
	}
	y := tensor.New(n, l.outC, oh, ow)
	parallel(n, l.threads, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			transpose(y.Data[i*l.outC*plane:], l.y[i*plane*l.outC:], plane, l.outC)
		}
	})
	return y, nil
}

// im2colRow writes the rows of output row oy of img (inC,h,w), one per
// output pixel: a[ox*K + (c*k+ky)*k+kx] = img[c, oy*stride-pad+ky,
// ox*stride-pad+kx], or the input zero point (the quantized 0.0) outside
// the image.
func (l *conv) im2colRow(a, img []uint8, h, w, oy, ow int) {
	zp := uint8(l.in.ZeroPoint)
	kk := l.inC * l.k * l.k
	for ox := range ow {
		row := a[ox*kk : (ox+1)*kk]
		ix0 := ox*l.stride - l.pad
		for c := range l.inC {
			for ky := range l.k {
				seg := row[(c*l.k+ky)*l.k : (c*l.k+ky+1)*l.k]
				iy := oy*l.stride - l.pad + ky
				switch {
				case iy < 0 || iy >= h:
					fill(seg, zp)
				case ix0 >= 0 && ix0+l.k <= w:
					copy(seg, img[(c*h+iy)*w+ix0:])
				default:
					for kx := range seg {
						if ix := ix0 + kx; ix < 0 || ix >= w {
							seg[kx] = zp
						} else {
							seg[kx] = img[(c*h+iy)*w+ix]
						}
					}
				}
			}
		}
	}
}

// fill sets every element of s to v.
func fill(s []uint8, v uint8) {
	for i := range s {
		s[i] = v
	}
}

// transpose writes src (rows×cols) as dst (cols×rows).
func transpose(dst, src []float32, rows, cols int) {
	for r := range rows {
		for c := range cols {
			dst[c*rows+r] = src[r*cols+c]
		}
	}
}
