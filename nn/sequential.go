package nn

import (
	"fmt"
	"strconv"

	"github.com/alexnet-go/alexnet/tensor"
)

// Sequential is torch.nn.Sequential: layers applied in order, with
// parameters named "<index>.<name>" as in PyTorch's state_dict.
type Sequential struct {
	Layers []Layer
}

// Params lists every layer's parameters prefixed by the layer's index.
func (s *Sequential) Params() []Param {
	var ps []Param
	for i, l := range s.Layers {
		for _, p := range l.Params() {
			ps = append(ps, Param{strconv.Itoa(i) + "." + p.Name, p.T})
		}
	}
	return ps
}

// OutputShape chains the layers' OutputShape.
func (s *Sequential) OutputShape(in []int) ([]int, error) {
	return chain(s.Layers, in, Layer.OutputShape)
}

// Forward applies the layers in order.
func (s *Sequential) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	return chain(s.Layers, x, Layer.Forward)
}

// chain passes v through step for each layer in order, each result the
// next one's input; an error names the layer's index.
func chain[T any](layers []Layer, v T, step func(Layer, T) (T, error)) (T, error) {
	for i, l := range layers {
		out, err := step(l, v)
		if err != nil {
			var zero T
			return zero, fmt.Errorf("layer %d: %w", i, err)
		}
		v = out
	}
	return v, nil
}

// SetThreads sets the thread count of every layer that has one.
func (s *Sequential) SetThreads(n int) {
	for _, l := range s.Layers {
		if t, ok := l.(Threader); ok {
			t.SetThreads(n)
		}
	}
}
