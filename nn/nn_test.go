package nn

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/alexnet-go/alexnet/internal/testutil"
	"github.com/alexnet-go/alexnet/tensor"
)

// Fixtures: testdata/gen/model.py (PyTorch 1.13).
const fixtures = "../testdata/nn"

// opCase is one per-op fixture case (testdata/nn/cases.json and
// testdata/train/ops/cases.json share the format).
type opCase struct {
	Name  string             `json:"name"`
	Op    string             `json:"op"`
	Attrs map[string]float64 `json:"attrs"`
	Files map[string]string  `json:"files"`
}

// loadFrom reads a fixture .npy of dir as a tensor (uint8 arrays, such as
// dropout masks, converted to float32).
func loadFrom(t *testing.T, dir, file string) *tensor.Tensor {
	t.Helper()
	return testutil.ReadTensor(t, filepath.Join(dir, file))
}

func load(t *testing.T, file string) *tensor.Tensor { return loadFrom(t, fixtures, file) }

// newLayer builds c's layer (conv and linear with a fused ReLU when the
// case's "relu" attribute is set) with its parameters read from dir.
func newLayer(t *testing.T, c opCase, dir string) Layer {
	t.Helper()
	a := func(k string) int { return int(c.Attrs[k]) }
	var (
		l   Layer
		err error
	)
	switch c.Op {
	case "conv2d":
		var cv *Conv2d
		if cv, err = NewConv2d(a("in"), a("out"), a("kernel"), a("stride"), a("padding"), a("groups")); err == nil {
			cv.ReLU = a("relu") != 0
			cv.SetThreads(2)
		}
		l = cv
	case "linear":
		var ln *Linear
		if ln, err = NewLinear(a("in"), a("out")); err == nil {
			ln.ReLU = a("relu") != 0
		}
		l = ln
	case "relu":
		l = &ReLU{}
	case "maxpool2d":
		l, err = NewMaxPool2d(a("kernel"), a("stride"))
	case "adaptiveavgpool2d":
		l, err = NewAdaptiveAvgPool2d(a("out_h"), a("out_w"))
	case "lrn":
		l, err = NewLocalResponseNorm(a("size"), float32(c.Attrs["alpha"]), float32(c.Attrs["beta"]), float32(c.Attrs["k"]))
	case "softmax":
		l = &Softmax{}
	case "dropout":
		l = &Dropout{P: float32(c.Attrs["p"])}
	default:
		t.Fatalf("unknown op %q", c.Op)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range l.Params() {
		w := loadFrom(t, dir, c.Files[p.Name])
		if !tensor.SameShape(w.Shape, p.T.Shape) {
			t.Fatalf("%s: %s shape %v, layer has %v", c.Name, p.Name, w.Shape, p.T.Shape)
		}
		copy(p.T.Data, w.Data)
	}
	return l
}

// TestOpsMatchPyTorch runs every per-op case of testdata/nn/cases.json
// twice (the second call reuses the layer's buffers) and compares with
// PyTorch's output to 1e-4 max abs, logging the measured maximum.
func TestOpsMatchPyTorch(t *testing.T) {
	for _, c := range readCases(t, fixtures) {
		t.Run(c.Name, func(t *testing.T) {
			l := newLayer(t, c, fixtures)
			x, want := load(t, c.Files["x"]), load(t, c.Files["y"])
			shape, err := l.OutputShape(x.Shape)
			if err != nil || !tensor.SameShape(shape, want.Shape) {
				t.Fatalf("OutputShape = %v, %v; want %v", shape, err, want.Shape)
			}
			for range 2 {
				y, err := l.Forward(x)
				if err != nil {
					t.Fatal(err)
				}
				testutil.CheckClose(t, "", y, want, 1e-4)
			}
		})
	}
}

func TestShapeErrors(t *testing.T) {
	conv, _ := NewConv2d(3, 4, 5, 1, 0, 1)
	lin, _ := NewLinear(6, 2)
	pool, _ := NewMaxPool2d(3, 2)
	cases := []struct {
		l Layer
		x *tensor.Tensor
	}{
		{conv, tensor.New(1, 2, 8, 8)},                   // wrong channels
		{conv, tensor.New(1, 3, 4, 8)},                   // smaller than kernel
		{conv, tensor.New(3, 8, 8)},                      // not 4-D
		{lin, tensor.New(2, 5)},                          // wrong features
		{pool, tensor.New(1, 1, 2, 9)},                   // smaller than kernel
		{&Softmax{}, tensor.New(2, 2, 2)},                // not 2-D
		{conv, &tensor.Tensor{Shape: []int{1, 3, 8, 8}}}, // data missing
	}
	for i, c := range cases {
		_, err := c.l.Forward(c.x)
		var se *tensor.ShapeError
		if !errors.As(err, &se) {
			t.Errorf("case %d: err = %v, want *tensor.ShapeError", i, err)
		}
	}
	var ce *ConfigError
	if _, err := NewConv2d(3, 4, 3, 1, 1, 2); !errors.As(err, &ce) {
		t.Errorf("NewConv2d groups 2 on 3 channels: err = %v, want *ConfigError", err)
	}
}

func TestSequentialNamesAndFlatten(t *testing.T) {
	c, _ := NewConv2d(1, 2, 1, 1, 0, 1)
	l, _ := NewLinear(8, 3)
	s := &Sequential{Layers: []Layer{c, &ReLU{}, Flatten{}, &Dropout{P: 0.5}, l}}
	var names []string
	for _, p := range s.Params() {
		names = append(names, p.Name)
	}
	if want := []string{"0.weight", "0.bias", "4.weight", "4.bias"}; len(names) != 4 || names[0] != want[0] || names[2] != want[2] || names[3] != want[3] {
		t.Errorf("names %v, want %v", names, want)
	}
	shape, err := s.OutputShape([]int{5, 1, 2, 2})
	if err != nil || !tensor.SameShape(shape, []int{5, 3}) {
		t.Errorf("OutputShape = %v, %v", shape, err)
	}
	y, err := s.Forward(tensor.New(5, 1, 2, 2))
	if err != nil || !tensor.SameShape(y.Shape, []int{5, 3}) {
		t.Errorf("Forward = %v, %v", y, err)
	}
}

// readCases reads dir/cases.json, the list of per-op cases a fixture
// script wrote.
func readCases(t *testing.T, dir string) []opCase {
	t.Helper()
	var cases []opCase
	testutil.ReadJSON(t, filepath.Join(dir, "cases.json"), &cases)
	return cases
}
