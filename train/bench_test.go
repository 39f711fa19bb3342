package train

import (
	"math/rand/v2"
	"testing"

	"github.com/alexnet-go/alexnet/model"
)

// BenchmarkStep is one SGD step of full-size torchvision AlexNet on a
// batch of 8 224×224 images (forward, loss, backward, update).
func BenchmarkStep(b *testing.B) {
	m, err := model.New(model.TorchvisionConfig())
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	InitTorchvision(m, rng)
	tr := NewTrainer(m, &SGD{LR: 0.01, Momentum: 0.9, WeightDecay: 5e-4}, rng)
	x, labels := randomBatch(rng, 8, 224, 1000)
	for b.Loop() {
		if _, err := tr.Step(x, labels); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStep64 is one SGD step of full-width torchvision AlexNet with
// 200 classes on a batch of 128 64×64 images, the Tiny ImageNet setting
// of `alexnet train --size 64`.
func BenchmarkStep64(b *testing.B) {
	cfg := model.TorchvisionConfig()
	cfg.NumClasses, cfg.InputSize = 200, 64
	m, err := model.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	InitTorchvision(m, rng)
	tr := NewTrainer(m, &SGD{LR: 0.01, Momentum: 0.9, WeightDecay: 5e-4}, rng)
	x, labels := randomBatch(rng, 128, 64, 200)
	for b.Loop() {
		if _, err := tr.Step(x, labels); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*128)/b.Elapsed().Seconds(), "images/s")
}
