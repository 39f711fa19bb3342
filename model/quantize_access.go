package model

import "github.com/alexnet-go/alexnet/nn"

// Module is one module of an AlexNet in forward order, named as in
// Summary ("features.0", "avgpool", "classifier.6"); Flatten marks the
// torch.flatten(x, 1) that follows avgpool. Package qmodel walks these to
// calibrate and build an int8 network.
type Module struct {
	Name    string
	Layer   nn.Layer
	Flatten bool
}

// Modules lists m's modules in forward order (the order Forward runs them).
// The layers are m's own.
func (m *AlexNet) Modules() []Module {
	ms := m.modules()
	out := make([]Module, len(ms))
	for i, mod := range ms {
		out[i] = Module{Name: mod.name, Layer: mod.l, Flatten: mod.flatten}
	}
	return out
}
