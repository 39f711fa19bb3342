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
	for i, l := range s.Layers {
		out, err := l.OutputShape(in)
		if err != nil {
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
		in = out
	}
	return in, nil
}

// Forward applies the layers in order.
func (s *Sequential) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	for i, l := range s.Layers {
		y, err := l.Forward(x)
		if err != nil {
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
		x = y
	}
	return x, nil
}

// SetThreads sets the thread count of every layer that has one.
func (s *Sequential) SetThreads(n int) {
	for _, l := range s.Layers {
		if t, ok := l.(Threader); ok {
			t.SetThreads(n)
		}
	}
}
