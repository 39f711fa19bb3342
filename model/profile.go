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
	before := func(_ int, mod Module, in *tensor.Tensor) error {
		lt := LayerTime{Name: mod.Name, Type: typeName(mod.Layer)}
		if c, ok := mod.Layer.(nn.MACer); ok {
			if _, err := mod.Layer.OutputShape(in.Shape); err == nil {
				lt.MACs = c.MACs(in.Shape)
			}
		}
		times = append(times, lt)
		start = time.Now()
		return nil
	}
	after := func(_ int, _ Module, out *tensor.Tensor) {
		lt := &times[len(times)-1]
		lt.Seconds = time.Since(start).Seconds()
		lt.OutShape = slices.Clone(out.Shape)
	}
	y, err := m.Walk(x, before, after)
	if err != nil {
		return nil, nil, err
	}
	return y, times, nil
}
