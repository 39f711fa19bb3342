package quant

import (
	"errors"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/alexnet-go/alexnet/tensor"
	"github.com/alexnet-go/alexnet/weights"
)

// testModel is a two-layer model: a conv with a bias and a linear layer
// without one.
func testModel() *Model {
	return &Model{Layers: []Layer{
		{Name: "features.0", Shape: []int{2, 1, 2, 2}, Weight: []int8{-128, 0, 1, 127, 5, -5, 64, -64},
			WeightScale: []float32{0.5, Eps}, Bias: []float32{0.25, -1}, Input: Params{0.02, 114, Uint8}},
		{Name: "classifier.1", Shape: []int{3, 2}, Weight: []int8{1, 2, 3, 4, 5, 6},
			WeightScale: []float32{1, 2, 3}, Input: Params{0.1, 0, Uint8Reduced}},
	}}
}

func TestSaveLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.safetensors")
	m := testModel()
	if err := Save(path, m); err != nil {
		t.Fatal(err)
	}
	back, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, m) {
		t.Errorf("loaded %+v\nsaved  %+v", back, m)
	}
	if l := back.Layer("classifier.1"); l == nil || l.Shape[0] != 3 || back.Layer("features.3") != nil {
		t.Errorf("Layer lookup: %+v", l)
	}
	sd, err := weights.Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantNames := []string{"features.0.weight", "features.0.weight_scale", "features.0.bias", "features.0.input_scale",
		"features.0.input_zero_point", "features.0.input_qrange", "classifier.1.weight", "classifier.1.weight_scale",
		"classifier.1.input_scale", "classifier.1.input_zero_point", "classifier.1.input_qrange"}
	wantDTypes := []weights.DType{weights.Int8, weights.Float32, weights.Float32, weights.Float32, weights.Int32, weights.Int32,
		weights.Int8, weights.Float32, weights.Float32, weights.Int32, weights.Int32}
	if !reflect.DeepEqual(sd.Names, wantNames) || sd.Metadata["alexnet.quant"] != "1" {
		t.Errorf("file holds %v, metadata %v", sd.Names, sd.Metadata)
	}
	for i, name := range wantNames {
		if sd.DType(name) != wantDTypes[i] {
			t.Errorf("%s: dtype %v, want %v", name, sd.DType(name), wantDTypes[i])
		}
	}
}

// TestLoadRefuses: each broken file is refused with a *TensorError naming
// the tensor.
func TestLoadRefuses(t *testing.T) {
	nan := float32(math.NaN())
	tests := []struct {
		what, tensor string
		edit         func(sd *weights.StateDict)
	}{
		{"missing weight scale", "features.0.weight_scale", remove("features.0.weight_scale")},
		{"missing input scale", "classifier.1.input_scale", remove("classifier.1.input_scale")},
		{"missing zero point", "features.0.input_zero_point", remove("features.0.input_zero_point")},
		{"NaN weight scale", "features.0.weight_scale", set("features.0.weight_scale", 1, nan)},
		{"Inf input scale", "features.0.input_scale", set("features.0.input_scale", 0, float32(math.Inf(1)))},
		{"zero weight scale", "classifier.1.weight_scale", set("classifier.1.weight_scale", 2, 0)},
		{"negative input scale", "classifier.1.input_scale", set("classifier.1.input_scale", 0, -0.1)},
		{"NaN input scale", "features.0.input_scale", set("features.0.input_scale", 0, nan)},
		{"zero point above range", "classifier.1.input_zero_point", set("classifier.1.input_zero_point", 0, 128)},
		{"zero point below range", "features.0.input_zero_point", set("features.0.input_zero_point", 0, -1)},
		{"bad range", "features.0.input_qrange", set("features.0.input_qrange", 1, 300)},
		{"weight scale shape", "features.0.weight_scale", reshape("features.0.weight_scale", []int{1, 2})},
		{"weight scale length", "classifier.1.weight_scale", replace("classifier.1.weight_scale", []int{2}, weights.Float32)},
		{"input scale shape", "features.0.input_scale", replace("features.0.input_scale", []int{2}, weights.Float32)},
		{"zero point shape", "classifier.1.input_zero_point", replace("classifier.1.input_zero_point", []int{}, weights.Int32)},
		{"bias shape", "features.0.bias", replace("features.0.bias", []int{3}, weights.Float32)},
		{"NaN bias", "features.0.bias", set("features.0.bias", 1, nan)},
		{"float weight", "features.0.weight", retype("features.0.weight", weights.Float32)},
		{"float zero point", "features.0.input_zero_point", retype("features.0.input_zero_point", weights.Float32)},
		{"int scale", "classifier.1.weight_scale", retype("classifier.1.weight_scale", weights.Int32)},
		{"scalar weight", "classifier.1.weight", replace("classifier.1.weight", []int{}, weights.Int8)},
		{"unexpected tensor", "features.0.running_mean", add("features.0.running_mean")},
	}
	for _, tt := range tests {
		path := writeEdited(t, tt.edit)
		_, err := Load(path)
		var te *TensorError
		if !errors.As(err, &te) || te.Name != tt.tensor || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: err = %v, want a *TensorError naming %q and the file", tt.what, err, tt.tensor)
		}
	}
}

// TestLoadVersion: a file without the version entry, or of another
// version, is refused with a *VersionError.
func TestLoadVersion(t *testing.T) {
	for _, v := range []string{"", "2"} {
		path := writeEdited(t, func(sd *weights.StateDict) {
			sd.Metadata = nil // no entry at all for ""
			if v != "" {
				sd.Metadata = map[string]string{"alexnet.quant": v}
			}
		})
		var ve *VersionError
		if _, err := Load(path); !errors.As(err, &ve) || ve.Version != v {
			t.Errorf("version %q: err = %v", v, err)
		}
	}
}

// TestSaveRefuses: Save checks what Load would, and wants .safetensors.
func TestSaveRefuses(t *testing.T) {
	dir := t.TempDir()
	m := testModel()
	m.Layers[1].WeightScale[0] = float32(math.Inf(-1))
	var te *TensorError
	if err := Save(filepath.Join(dir, "a.safetensors"), m); !errors.As(err, &te) || te.Name != "classifier.1.weight_scale" {
		t.Errorf("bad scale: %v", err)
	}
	m = testModel()
	m.Layers[1].Name = "features.0"
	if err := Save(filepath.Join(dir, "b.safetensors"), m); !errors.As(err, &te) || te.Name != "features.0.weight" {
		t.Errorf("duplicate layer: %v", err)
	}
	for _, bad := range []*Model{{}, testModel()} {
		if err := Save(filepath.Join(dir, "c.pth"), bad); err == nil {
			t.Errorf("Save of %d layers to .pth accepted", len(bad.Layers))
		}
	}
	if err := Save(filepath.Join(dir, "d.safetensors"), &Model{}); err == nil {
		t.Error("Save of no layers accepted")
	}
}

// writeEdited saves testModel, applies edit to its state dict, writes it
// back and returns the path.
func writeEdited(t *testing.T, edit func(*weights.StateDict)) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "q.safetensors")
	if err := Save(path, testModel()); err != nil {
		t.Fatal(err)
	}
	sd, err := weights.Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	edit(sd)
	if err := weights.Save(path, sd); err != nil {
		t.Fatal(err)
	}
	return path
}

func remove(name string) func(*weights.StateDict) {
	return func(sd *weights.StateDict) {
		delete(sd.Tensors, name)
		for i, n := range sd.Names {
			if n == name {
				sd.Names = append(sd.Names[:i], sd.Names[i+1:]...)
				break
			}
		}
	}
}

func set(name string, i int, v float32) func(*weights.StateDict) {
	return func(sd *weights.StateDict) { sd.Get(name).Data[i] = v }
}

func reshape(name string, shape []int) func(*weights.StateDict) {
	return func(sd *weights.StateDict) { sd.Get(name).Shape = shape }
}

// replace swaps the tensor for one of shape and dtype d holding ones.
func replace(name string, shape []int, d weights.DType) func(*weights.StateDict) {
	return func(sd *weights.StateDict) {
		n := 1
		for _, s := range shape {
			n *= s
		}
		data := make([]float32, n)
		for i := range data {
			data[i] = 1
		}
		sd.Tensors[name] = &tensor.Tensor{Shape: shape, Data: data}
		sd.DTypes[name] = d
	}
}

func retype(name string, d weights.DType) func(*weights.StateDict) {
	return func(sd *weights.StateDict) { sd.DTypes[name] = d }
}

func add(name string) func(*weights.StateDict) {
	return func(sd *weights.StateDict) {
		_ = sd.AddAs(name, &tensor.Tensor{Shape: []int{2}, Data: []float32{0, 1}}, weights.Float32)
	}
}
