package model

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/alexnet-go/alexnet/nn"
	"github.com/alexnet-go/alexnet/tensor"
)

// LayerTime is the wall time of one module's Forward in a Profile run,
// named as in Summary ("features.0", "avgpool", "classifier.6").
type LayerTime struct {
	Name     string
	Type     string // PyTorch class name, e.g. "Conv2d"
	Seconds  float64
	MACs     int64 // multiply-adds for the whole batch; 0 but for Conv2d and Linear
	OutShape []int
}

// module is one module of m in forward order with its Summary name;
// flatten marks the torch.flatten(x, 1) that follows avgpool.
type module struct {
	name    string
	l       nn.Layer
	flatten bool
}

// modules lists m's modules in forward order.
func (m *AlexNet) modules() []module {
	var ms []module
	for i, l := range m.Features.Layers {
		ms = append(ms, module{name: fmt.Sprintf("features.%d", i), l: l})
	}
	ms = append(ms, module{name: "avgpool", l: m.Avgpool, flatten: true})
	for i, l := range m.Classifier.Layers {
		ms = append(ms, module{name: fmt.Sprintf("classifier.%d", i), l: l})
	}
	return ms
}

// typeName is l's PyTorch class name: *nn.Conv2d -> "Conv2d".
func typeName(l nn.Layer) string { return strings.TrimPrefix(fmt.Sprintf("%T", l), "*nn.") }

// Profile computes exactly what Forward computes for x (N,3,H,W), the same
// logits bit for bit, timing each module's Forward. It returns the logits
// (N,NumClasses), owned by the caller, and one LayerTime per Summary row
// in the same order. The flatten after avgpool (a reshape) and the final
// copy of the logits are not timed.
func (m *AlexNet) Profile(x *tensor.Tensor) (*tensor.Tensor, []LayerTime, error) {
	if err := checkInput("model.Profile", x); err != nil {
		return nil, nil, err
	}
	var (
		times []LayerTime
		start time.Time
	)
	before := func(mod module, in *tensor.Tensor) error {
		lt := LayerTime{Name: mod.name, Type: typeName(mod.l)}
		if c, ok := mod.l.(nn.MACer); ok {
			if _, err := mod.l.OutputShape(in.Shape); err == nil {
				lt.MACs = c.MACs(in.Shape)
			}
		}
		times = append(times, lt)
		start = time.Now()
		return nil
	}
	after := func(_ module, out *tensor.Tensor) {
		lt := &times[len(times)-1]
		lt.Seconds = time.Since(start).Seconds()
		lt.OutShape = slices.Clone(out.Shape)
	}
	y, err := m.walk(x, before, after)
	if err != nil {
		return nil, nil, err
	}
	return y, times, nil
}
