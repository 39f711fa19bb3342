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
	quant.QuantizeSlice(l.q, x.Data, l.in)
	kk, plane := l.inC*l.k*l.k, oh*ow
	l.a = grow(l.a, n*plane*kk)
	for i := range n {
		img := l.q[i*l.inC*h*w : (i+1)*l.inC*h*w]
		l.im2col(l.a[i*plane*kk:(i+1)*plane*kk], img, h, w, oh, ow)
	}
	if err := l.run(n * plane); err != nil {
		return nil, err
	}
	y := tensor.New(n, l.outC, oh, ow)
	for i := range n {
		transpose(y.Data[i*l.outC*plane:], l.y[i*plane*l.outC:], plane, l.outC)
	}
	return y, nil
}

// im2col writes one row per output pixel of img (inC,h,w): a[(oy*ow+ox)*K
// + (c*k+ky)*k+kx] = img[c, oy*stride-pad+ky, ox*stride-pad+kx], or the
// input zero point (the quantized 0.0) outside the image.
func (l *conv) im2col(a, img []uint8, h, w, oh, ow int) {
	zp := uint8(l.in.ZeroPoint)
	kk := l.inC * l.k * l.k
	for oy := range oh {
		for ox := range ow {
			row := a[(oy*ow+ox)*kk : (oy*ow+ox+1)*kk]
			p := 0
			for c := range l.inC {
				for ky := range l.k {
					iy := oy*l.stride - l.pad + ky
					for kx := range l.k {
						ix := ox*l.stride - l.pad + kx
						if iy < 0 || iy >= h || ix < 0 || ix >= w {
							row[p] = zp
						} else {
							row[p] = img[(c*h+iy)*w+ix]
						}
						p++
					}
				}
			}
		}
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
