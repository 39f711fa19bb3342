package train

import (
	"math/rand/v2"
	"testing"

	"github.com/alexnet-go/alexnet/model"
)

// BenchmarkStep is one SGD step of full-size torchvision AlexNet on a
// batch of 8 224×224 images (forward, loss, backward, update).
func BenchmarkStep(b *testing.B) { benchStep(b, model.TorchvisionConfig(), 8) }

// BenchmarkStep64 is one SGD step of full-width torchvision AlexNet with
// 200 classes on a batch of 128 64×64 images, the Tiny ImageNet setting
// of `alexnet train --size 64`.
func BenchmarkStep64(b *testing.B) {
	cfg := model.TorchvisionConfig()
	cfg.NumClasses, cfg.InputSize = 200, 64
	benchStep(b, cfg, 128)
}

// benchStep times SGD steps (momentum 0.9, weight decay 5e-4) of the model
// of cfg, torchvision-initialised, on one random batch, and reports
// images/s.
func benchStep(b *testing.B, cfg model.Config, batch int) {
	m, err := model.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	InitTorchvision(m, rng)
	tr := NewTrainer(m, &SGD{LR: 0.01, Momentum: 0.9, WeightDecay: 5e-4}, rng)
	x, labels := randomBatch(rng, batch, cfg.InputSize, cfg.NumClasses)
	for b.Loop() {
		if _, err := tr.Step(x, labels); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "images/s")
}

// BenchmarkStepTiny is one SGD step of the Tiny ImageNet preset's model
// (ArchTiny at half width, hidden 1024, 200 classes) on a batch of 128
// 64×64 images.
func BenchmarkStepTiny(b *testing.B) {
	cfg := model.TinyConfig()
	cfg.Channels, cfg.Hidden = [5]int{32, 96, 192, 128, 128}, 1024
	benchStep(b, cfg, 128)
}
