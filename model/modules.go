package model

import (
	"fmt"

	"github.com/alexnet-go/alexnet/nn"
	"github.com/alexnet-go/alexnet/tensor"
)

// Module is one module of an AlexNet in forward order, named as in
// Summary ("features.0", "avgpool", "classifier.6"); Flatten marks the
// torch.flatten(x, 1) that follows avgpool.
type Module struct {
	Name    string
	Layer   nn.Layer
	Flatten bool
}

// Modules lists m's modules in forward order (the order Forward runs
// them). The layers are m's own.
func (m *AlexNet) Modules() []Module {
	var ms []Module
	for i, l := range m.Features.Layers {
		ms = append(ms, Module{Name: fmt.Sprintf("features.%d", i), Layer: l})
	}
	ms = append(ms, Module{Name: "avgpool", Layer: m.Avgpool, Flatten: true})
	for i, l := range m.Classifier.Layers {
		ms = append(ms, Module{Name: fmt.Sprintf("classifier.%d", i), Layer: l})
	}
	return ms
}

// Walk runs x through m's modules in forward order, which computes what
// Forward computes, and returns a copy of the logits. before, when not
// nil, sees each module (its index in Modules, and itself) and its input
// ahead of its Forward; an error from it stops Walk and is returned as it
// is. after, when not nil, sees each module and its output (avgpool's
// before the flatten that follows it). Profile, ForwardContext and
// qmodel's calibration are Walks.
func (m *AlexNet) Walk(x *tensor.Tensor, before func(int, Module, *tensor.Tensor) error, after func(int, Module, *tensor.Tensor)) (*tensor.Tensor, error) {
	y := x
	for i, mod := range m.Modules() {
		if before != nil {
			if err := before(i, mod, y); err != nil {
				return nil, err
			}
		}
		out, err := mod.Layer.Forward(y)
		if err != nil {
			return nil, fmt.Errorf("model: %s: %w", mod.Name, err)
		}
		if after != nil {
			after(i, mod, out)
		}
		if mod.Flatten {
			if out, err = (nn.Flatten{}).Forward(out); err != nil {
				return nil, fmt.Errorf("model: flatten: %w", err)
			}
		}
		y = out
	}
	return y.Clone(), nil
}
