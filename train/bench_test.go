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
