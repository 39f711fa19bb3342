package qmodel

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/alexnet-go/alexnet/nn"
	"github.com/alexnet-go/alexnet/quant"
	"github.com/alexnet-go/alexnet/tensor"
)

// BenchmarkConv times torchvision AlexNet's int8 convolutions at batch 64
// on 2 threads, uint8 in and out, as inside a Model (GOPS = 2·MACs/s).
func BenchmarkConv(b *testing.B) {
	for _, s := range []struct {
		name                         string
		inC, outC, k, stride, pad, h int
	}{
		{"conv1", 3, 64, 11, 4, 2, 224},
		{"conv2", 64, 192, 5, 1, 2, 27},
		{"conv3", 192, 384, 3, 1, 1, 13},
		{"conv4", 384, 256, 3, 1, 1, 13},
		{"conv5", 256, 256, 3, 1, 1, 13},
	} {
		b.Run(s.name, func(b *testing.B) {
			const n, threads = 64, 2
			rng := rand.New(rand.NewPCG(1, 2))
			l := randomLayer(rng, s.name, 3, s.outC, s.inC, s.k, s.k)
			c, err := nn.NewConv2d(s.inC, s.outC, s.k, s.stride, s.pad, 1)
			if err != nil {
				b.Fatal(err)
			}
			q, err := newConv(l, c, true, threads)
			if err != nil {
				b.Fatal(err)
			}
			q.setTarget(dest{q: true, p: quant.Params{Scale: 0.05, ZeroPoint: 0, Range: quant.Uint8}})
			x := &qtensor{}
			x.reshape(n, s.inC, s.h, s.h, s.pad, l.Input)
			for i := range x.data {
				x.data[i] = uint8(rng.IntN(256))
			}
			oh := (s.h+2*s.pad-s.k)/s.stride + 1
			ops := 2 * float64(n*oh*oh*s.outC*s.inC*s.k*s.k)
			b.ResetTimer()
			for range b.N {
				if _, err := q.forward(value{q: x}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(ops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GOPS")
		})
	}
}

// BenchmarkLinear times torchvision AlexNet's int8 linear layers at batch
// 64 and 1 on 2 threads, uint8 in and out.
func BenchmarkLinear(b *testing.B) {
	for _, s := range []struct {
		name    string
		in, out int
	}{{"fc6", 9216, 4096}, {"fc7", 4096, 4096}, {"fc8", 4096, 1000}} {
		for _, n := range []int{1, 64} {
			b.Run(fmt.Sprintf("%s/batch%d", s.name, n), func(b *testing.B) {
				const threads = 2
				rng := rand.New(rand.NewPCG(1, 2))
				l := randomLayer(rng, s.name, 0, s.out, s.in)
				q, err := newLinear(l, &nn.Linear{In: s.in, Out: s.out, ReLU: true}, threads)
				if err != nil {
					b.Fatal(err)
				}
				q.setTarget(dest{q: true, p: quant.Params{Scale: 0.05, ZeroPoint: 0, Range: quant.Uint8}})
				x := &qtensor{}
				x.reshape(n, s.in, 1, 1, 0, l.Input)
				for i := range x.data {
					x.data[i] = uint8(rng.IntN(256))
				}
				b.ResetTimer()
				for range b.N {
					if _, err := q.forward(value{q: x}); err != nil {
						b.Fatal(err)
					}
				}
				ops := 2 * float64(n*s.in*s.out)
				b.ReportMetric(ops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GOPS")
				b.ReportMetric(float64(s.in*s.out)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
			})
		}
	}
}

// BenchmarkQuantizeInput times the first layer's input quantization, 64
// float32 images of 3×224×224 to uint8 NHWC with conv1's border, on 2
// threads.
func BenchmarkQuantizeInput(b *testing.B) {
	x := tensor.New(64, 3, 224, 224)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	p := quant.Params{Scale: 0.02, ZeroPoint: 120, Range: quant.Uint8}
	var t qtensor
	for range b.N {
		quantizeInto(&t, x, p, 2, 2)
	}
	b.ReportMetric(float64(len(x.Data))*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gvalues/s")
}

// randomLayer is a quantized layer of the given weight shape with random
// int8 weights, weight scales 1e-4, zero biases and an input quantizer of
// zero point zp.
func randomLayer(rng *rand.Rand, name string, zp int32, shape ...int) *quant.Layer {
	size := 1
	for _, d := range shape {
		size *= d
	}
	l := &quant.Layer{Name: name, Shape: shape, Weight: make([]int8, size),
		WeightScale: make([]float32, shape[0]), Bias: make([]float32, shape[0]),
		Input: quant.Params{Scale: 0.05, ZeroPoint: zp, Range: quant.Uint8}}
	for i := range l.Weight {
		l.Weight[i] = int8(rng.IntN(256) - 128)
	}
	for o := range l.WeightScale {
		l.WeightScale[o] = 1e-4
	}
	return l
}
