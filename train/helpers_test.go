package train

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"

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

// torchArgs decodes a JSON object of PyTorch keyword arguments, in
// snake_case (weight_decay, threshold_mode), into V, whose exported fields
// bear the same names in Go's case (WeightDecay, ThresholdMode); a key
// that names no field is an error.
type torchArgs[T any] struct{ V T }

func (a *torchArgs[T]) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	flat := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		flat[strings.ReplaceAll(k, "_", "")] = v
	}
	b, err := json.Marshal(flat)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(&a.V)
}
