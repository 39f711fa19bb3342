package explain

import (
	"math/rand/v2"
	"testing"

	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/tensor"
)

// benchModel is torchvision's AlexNet with seeded random weights on 2
// threads, and a random image.
func benchModel(b *testing.B) (*model.AlexNet, *tensor.Tensor) {
	cfg, err := model.ConfigFor(model.ArchTorchvision)
	if err != nil {
		b.Fatal(err)
	}
	cfg.Threads = 2
	m, err := model.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, p := range m.Parameters() {
		for i := range p.T.Data {
			p.T.Data[i] = float32(rng.NormFloat64() * 0.01)
		}
	}
	x := tensor.New(1, 3, 224, 224)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	return m, x
}

// BenchmarkExplain times, side by side, a batch-1 forward pass of
// torchvision's AlexNet (2 threads) and each method's explanation of the
// same image by one Explainer: Grad-CAM should take at most 3 forward passes' time, occlusion
// (patch 32, stride 16: 169 occluded images) at most 1.5 s.
func BenchmarkExplain(b *testing.B) {
	m, x := benchModel(b)
	b.Run("forward", func(b *testing.B) {
		for range b.N {
			if _, err := m.Forward(x); err != nil {
				b.Fatal(err)
			}
		}
	})
	e := New(m)
	for _, method := range Methods {
		b.Run(method, func(b *testing.B) {
			for range b.N {
				if _, err := e.Explain(x, Options{Method: method}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
