package quant

import (
	"fmt"
	"slices"
	"strings"

	"github.com/alexnet-go/alexnet/tensor"
	"github.com/alexnet-go/alexnet/weights"
)

// FormatVersion is the "alexnet.quant" metadata entry of the files Save
// writes and the one Load reads.
const FormatVersion = "1"

// MetaKey is the metadata entry naming the format version: a weights file
// with it is a quantized model.
const MetaKey = "alexnet.quant"

// Save writes m to path (which must end in ".safetensors") in the format
// of the package doc, atomically as weights.Save does. It refuses a model
// Load would refuse, with a *TensorError naming the tensor.
func Save(path string, m *Model) error {
	if !strings.HasSuffix(path, ".safetensors") {
		return fmt.Errorf("quant %s: a quantized model is saved as .safetensors", path)
	}
	if err := m.validate(); err != nil {
		return fmt.Errorf("quant %s: %w", path, err)
	}
	sd := weights.NewStateDict()
	sd.Metadata = map[string]string{MetaKey: FormatVersion}
	var err error
	for _, l := range m.Layers {
		add := func(suffix string, shape []int, data []float32, d weights.DType) {
			if err == nil {
				err = sd.AddAs(l.Name+suffix, &tensor.Tensor{Shape: slices.Clone(shape), Data: data}, d)
			}
		}
		add(sufWeight, l.Shape, toFloats(l.Weight), weights.Int8)
		add(sufWeightScale, []int{len(l.WeightScale)}, slices.Clone(l.WeightScale), weights.Float32)
		if l.Bias != nil {
			add(sufBias, []int{len(l.Bias)}, slices.Clone(l.Bias), weights.Float32)
		}
		add(sufInputScale, []int{1}, []float32{l.Input.Scale}, weights.Float32)
		add(sufInputZero, []int{1}, []float32{float32(l.Input.ZeroPoint)}, weights.Int32)
		add(sufInputRange, []int{2}, []float32{float32(l.Input.QMin), float32(l.Input.QMax)}, weights.Int32)
	}
	if err != nil {
		return fmt.Errorf("quant %s: %w", path, err)
	}
	return weights.Save(path, sd)
}

// Load reads a quantized model Save wrote. It refuses a file without the
// "alexnet.quant" metadata entry or of another version (*VersionError),
// and a missing, mistyped, misshapen or invalid tensor, or an unexpected
// one (*TensorError naming it); errors name path.
func Load(path string) (*Model, error) {
	sd, err := weights.Load(path, &weights.Options{KeepInt8: true})
	if err != nil {
		return nil, err
	}
	m, err := fromStateDict(sd)
	if err != nil {
		return nil, fmt.Errorf("quant %s: %w", path, err)
	}
	return m, nil
}

// fromStateDict builds and validates the model of sd: one layer per I8
// ".weight" tensor, in file order.
func fromStateDict(sd *weights.StateDict) (*Model, error) {
	if v := sd.Metadata[MetaKey]; v != FormatVersion {
		return nil, &VersionError{Version: v}
	}
	r := &reader{sd: sd, used: map[string]bool{}}
	m := &Model{}
	for _, name := range sd.Names {
		if base, ok := strings.CutSuffix(name, sufWeight); ok {
			l, err := r.layer(base)
			if err != nil {
				return nil, err
			}
			m.Layers = append(m.Layers, l)
		}
	}
	for _, name := range sd.Names {
		if !r.used[name] {
			return nil, tensorErrorf(name, "unexpected tensor")
		}
	}
	if err := m.validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// reader takes a layer's tensors out of a state dict, checking their
// dtypes and shapes and remembering which it used.
type reader struct {
	sd   *weights.StateDict
	used map[string]bool
}

// layer reads the tensors of the layer called base.
func (r *reader) layer(base string) (Layer, error) {
	w, err := r.get(base+sufWeight, weights.Int8, nil)
	if err != nil {
		return Layer{}, err
	}
	if len(w.Shape) == 0 || w.Shape[0] <= 0 {
		return Layer{}, tensorErrorf(base+sufWeight, "shape %v has no output channels", w.Shape)
	}
	outC := w.Shape[0]
	l := Layer{Name: base, Shape: slices.Clone(w.Shape), Weight: r.sd.Int8[base+sufWeight]}
	if l.Weight == nil { // read as float32 (without weights.Options.KeepInt8)
		l.Weight = make([]int8, len(w.Data))
		for i, v := range w.Data {
			l.Weight[i] = int8(v)
		}
	}
	ws, err := r.get(base+sufWeightScale, weights.Float32, []int{outC})
	if err != nil {
		return Layer{}, err
	}
	l.WeightScale = ws.Data
	if r.sd.Get(base+sufBias) != nil {
		b, err := r.get(base+sufBias, weights.Float32, []int{outC})
		if err != nil {
			return Layer{}, err
		}
		l.Bias = b.Data
	}
	return l, r.input(&l)
}

// input reads the quantizer of l's input activation.
func (r *reader) input(l *Layer) error {
	s, err := r.get(l.Name+sufInputScale, weights.Float32, []int{1})
	if err != nil {
		return err
	}
	z, err := r.get(l.Name+sufInputZero, weights.Int32, []int{1})
	if err != nil {
		return err
	}
	q, err := r.get(l.Name+sufInputRange, weights.Int32, []int{2})
	if err != nil {
		return err
	}
	l.Input = Params{Scale: s.Data[0], ZeroPoint: int32(z.Data[0]), Range: Range{int32(q.Data[0]), int32(q.Data[1])}}
	return nil
}

// get returns the tensor called name after checking its dtype and, when
// shape is not nil, its shape.
func (r *reader) get(name string, d weights.DType, shape []int) (*tensor.Tensor, error) {
	t := r.sd.Get(name)
	switch {
	case t == nil:
		return nil, tensorErrorf(name, "missing")
	case r.sd.DType(name) != d:
		return nil, tensorErrorf(name, "dtype %v, want %v", r.sd.DType(name), d)
	case shape != nil && !slices.Equal(t.Shape, shape):
		return nil, tensorErrorf(name, "shape %v, want %v", t.Shape, shape)
	}
	r.used[name] = true
	return t, nil
}

// toFloats converts q to float32, the element type of package weights.
func toFloats[T Integer](q []T) []float32 {
	f := make([]float32, len(q))
	for i, v := range q {
		f[i] = float32(v)
	}
	return f
}
