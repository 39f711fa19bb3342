package qmodel

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/alexnet-go/alexnet/internal/testutil"
	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/nn"
	"github.com/alexnet-go/alexnet/quant"
	"github.com/alexnet-go/alexnet/tensor"
)

// TestFoldBatchNorm checks each convolution of the narrow tiny-bn model
// with its batch norm folded in (FoldBatchNorm) against the convolution
// and the batch norm run one after the other, on the activations the model
// feeds it, to 1e-5 of the output's largest magnitude.
func TestFoldBatchNorm(t *testing.T) {
	m, _, x := narrow(t, "tiny_bn_narrow")
	mods := m.Modules()
	y, folds := x, 0
	for i, mod := range mods {
		out := forward(t, mod.Layer, y)
		if c, ok := mod.Layer.(*nn.Conv2d); ok {
			bn := mods[i+1].Layer.(*nn.BatchNorm2d)
			want := forward(t, bn, out).Clone()
			f, err := nn.NewConv2d(c.InC, c.OutC, c.Kernel, c.Stride, c.Padding, c.Groups)
			if err != nil {
				t.Fatal(err)
			}
			f.Weight.Data, f.Bias.Data = FoldBatchNorm(c, bn)
			f.ReLU = bn.ReLU
			got := forward(t, f, y)
			testutil.CheckClose(t, mod.Name, got, want, 1e-5*maxAbs(want.Data))
			folds++
		}
		if mod.Flatten {
			out = forward(t, nn.Flatten{}, out)
		}
		y = out
	}
	if folds != 5 {
		t.Errorf("%d convolutions folded, want 5", folds)
	}
}

func maxAbs(x []float32) float64 {
	m := 0.0
	for _, v := range x {
		m = max(m, math.Abs(float64(v)))
	}
	return m
}

// TestConvExact checks the int8 convolution against a direct float64
// computation on the quantized values, with the padding holding the
// input's zero point (100, so a zero-padded border would differ, as the
// test also checks): the float32 output as DequantizeF32 documents it, and
// the uint8 output for a next layer as RequantizeU8 does, bit for bit,
// inside a border of that layer's zero point.
func TestConvExact(t *testing.T) {
	const inC, outC, k, stride, pad, n, h, w = 3, 5, 3, 2, 2, 2, 7, 6
	rng := rand.New(rand.NewPCG(1, 2))
	l := &quant.Layer{Name: "features.0", Shape: []int{outC, inC, k, k}, Weight: make([]int8, outC*inC*k*k),
		WeightScale: make([]float32, outC), Bias: make([]float32, outC),
		Input: quant.Params{Scale: 0.05, ZeroPoint: 100, Range: quant.Uint8}}
	for i := range l.Weight {
		l.Weight[i] = int8(rng.IntN(256) - 128)
	}
	for o := range outC {
		l.WeightScale[o], l.Bias[o] = 0.001+rng.Float32()*0.01, rng.Float32()-0.5
	}
	c, err := nn.NewConv2d(inC, outC, k, stride, pad, 1)
	if err != nil {
		t.Fatal(err)
	}
	q, err := newConv(l, c, false, 2)
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.New(n, inC, h, w)
	for i := range x.Data {
		x.Data[i] = rng.Float32()*14 - 6 // beyond the range on both sides: clamped
	}
	y := forward(t, opFunc(q.forward), x)
	next := quant.Params{Scale: 0.02, ZeroPoint: 30, Range: quant.Uint8}
	q.setTarget(dest{q: true, p: next, pad: 1})
	v, err := q.forward(value{f: x})
	if err != nil {
		t.Fatal(err)
	}
	yq := v.q
	rq := kernels.Requant{Scale: []float32{0}, Bias: []float32{0}, OutScale: next.Scale, ZeroOut: next.ZeroPoint}
	oh, ow := y.Shape[2], y.Shape[3]
	borderDiffers := false
	for img := range n {
		for o := range outC {
			for oy := range oh {
				for ox := range ow {
					acc, zeroPadded := directConv(l, x, img, o, oy*stride-pad, ox*stride-pad, h, w)
					borderDiffers = borderDiffers || zeroPadded != acc
					want := float32(float32(acc)*(l.Input.Scale*l.WeightScale[o])) + l.Bias[o]
					if v := y.Data[((img*outC+o)*oh+oy)*ow+ox]; math.Float32bits(v) != math.Float32bits(want) {
						t.Fatalf("image %d channel %d at (%d,%d): %g, want %g", img, o, oy, ox, v, want)
					}
					rq.Scale[0], rq.Bias[0] = l.Input.Scale*l.WeightScale[o], l.Bias[o]
					var wantQ [1]uint8
					kernels.RequantizeU8(wantQ[:], 1, []int32{int32(acc)}, 1, 1, 1, &rq)
					if got := yq.at(img, oy, ox)[o]; got != wantQ[0] {
						t.Fatalf("image %d channel %d at (%d,%d): uint8 %d, want %d", img, o, oy, ox, got, wantQ[0])
					}
				}
			}
		}
		for yy := -1; yy <= oh; yy++ {
			for xx := -1; xx <= ow; xx++ {
				if yy < 0 || yy == oh || xx < 0 || xx == ow {
					checkBorder(t, yq.at(img, yy, xx)[:outC], next.ZeroPoint)
				}
			}
		}
	}
	if !borderDiffers {
		t.Error("no output where zero padding would have differed: the test does not test the padding")
	}
}

// checkBorder fails t unless every byte of px is zp.
func checkBorder(t *testing.T, px []uint8, zp int32) {
	t.Helper()
	for _, v := range px {
		if int32(v) != zp {
			t.Fatalf("border pixel %v, want the zero point %d", px, zp)
		}
	}
}

// directConv is Σ (q(x) − zp)·w over the taps of output channel o whose
// window starts at (y0, x0), in float64, taps outside the image giving
// zero; zeroPadded is the same sum with those taps' q taken as 0.
func directConv(l *quant.Layer, x *tensor.Tensor, img, o, y0, x0, h, w int) (acc, zeroPadded float64) {
	inC, k := l.Shape[1], l.Shape[2]
	zp := float64(l.Input.ZeroPoint)
	for c := range inC {
		for ky := range k {
			for kx := range k {
				wv := float64(l.Weight[((o*inC+c)*k+ky)*k+kx])
				iy, ix := y0+ky, x0+kx
				if iy < 0 || iy >= h || ix < 0 || ix >= w {
					zeroPadded += -zp * wv
					continue
				}
				v := float64(l.Input.Quantize(x.Data[((img*inC+c)*h+iy)*w+ix])) - zp
				acc += v * wv
				zeroPadded += v * wv
			}
		}
	}
	return acc, zeroPadded
}

// opFunc makes an op's forward on float32 activations a layer for forward.
type opFunc func(value) (value, error)

func (f opFunc) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	v, err := f(value{f: x})
	return v.f, err
}
