package quant

import (
	"fmt"
	"math"
)

// Layer is one quantized Conv2d or Linear layer.
type Layer struct {
	Name        string    // torchvision's module name, e.g. "features.0"
	Shape       []int     // the weight's shape, (outC, ...) as torchvision's
	Weight      []int8    // the weight, row-major, per channel: w ≈ Weight * WeightScale[c]
	WeightScale []float32 // [outC], the per-channel scales (zero points 0)
	Bias        []float32 // [outC] float32, or nil
	Input       Params    // the quantizer of the layer's input activation
}

// Model is a quantized model: its layers in order. It is plain data keyed
// by torchvision's names, for package model to build a network from.
type Model struct {
	Layers []Layer
}

// Layer returns the layer called name, or nil.
func (m *Model) Layer(name string) *Layer {
	for i := range m.Layers {
		if m.Layers[i].Name == name {
			return &m.Layers[i]
		}
	}
	return nil
}

// The suffixes of a layer's tensors in the file (see the package doc).
const (
	sufWeight      = ".weight"
	sufWeightScale = ".weight_scale"
	sufBias        = ".bias"
	sufInputScale  = ".input_scale"
	sufInputZero   = ".input_zero_point"
	sufInputRange  = ".input_qrange"
)

// validate checks what Save writes and Load returns: the shapes agree and
// every scale and zero point is usable. Errors are *TensorError values
// naming the tensor of the file that holds the bad value.
func (l *Layer) validate() error {
	n := 1
	for _, d := range l.Shape {
		n *= max(d, 0)
	}
	if len(l.Shape) == 0 || l.Shape[0] <= 0 || n != len(l.Weight) {
		return tensorErrorf(l.Name+sufWeight, "shape %v does not hold its %d values", l.Shape, len(l.Weight))
	}
	outC := l.Shape[0]
	if len(l.WeightScale) != outC {
		return tensorErrorf(l.Name+sufWeightScale, "shape [%d], want [%d] (one scale per output channel)", len(l.WeightScale), outC)
	}
	for c, s := range l.WeightScale {
		if f := float64(s); math.IsNaN(f) || math.IsInf(f, 0) || f <= 0 {
			return tensorErrorf(l.Name+sufWeightScale, "scale %d is %v, not a positive finite number", c, s)
		}
	}
	if l.Bias != nil && len(l.Bias) != outC {
		return tensorErrorf(l.Name+sufBias, "shape [%d], want [%d]", len(l.Bias), outC)
	}
	for c, b := range l.Bias {
		if math.IsNaN(float64(b)) || math.IsInf(float64(b), 0) {
			return tensorErrorf(l.Name+sufBias, "element %d is %v", c, b)
		}
	}
	if part, err := l.Input.check(); err != nil {
		suffix := [...]string{badScale: sufInputScale, badRange: sufInputRange, badZeroPoint: sufInputZero}[part]
		return &TensorError{Name: l.Name + suffix, Msg: err.Error()}
	}
	return nil
}

// validate checks every layer and that names are unique.
func (m *Model) validate() error {
	if len(m.Layers) == 0 {
		return fmt.Errorf("no quantized layers")
	}
	seen := map[string]bool{}
	for i := range m.Layers {
		l := &m.Layers[i]
		if seen[l.Name] {
			return tensorErrorf(l.Name+sufWeight, "layer named twice")
		}
		seen[l.Name] = true
		if err := l.validate(); err != nil {
			return err
		}
	}
	return nil
}
