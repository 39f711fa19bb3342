package train

import (
	"math/rand/v2"

	"github.com/alexnet-go/alexnet/tensor"
)

// randomBatch returns n images of size×size, values N(0, 1), and labels
// in [0, classes).
func randomBatch(rng *rand.Rand, n, size, classes int) (*tensor.Tensor, []int) {
	x := tensor.New(n, 3, size, size)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	labels := make([]int, n)
	for i := range labels {
		labels[i] = rng.IntN(classes)
	}
	return x, labels
}
