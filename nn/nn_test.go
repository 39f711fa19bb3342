package nn

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/alexnet-go/alexnet/internal/npy"
	"github.com/alexnet-go/alexnet/tensor"
)

// Fixtures: testdata/gen/model.py (PyTorch 1.13).
const fixtures = "../testdata/nn"

type opCase struct {
	Name  string             `json:"name"`
	Op    string             `json:"op"`
	Attrs map[string]float64 `json:"attrs"`
	Files map[string]string  `json:"files"`
}

func load(t *testing.T, file string) *tensor.Tensor {
	t.Helper()
	a, err := npy.ReadFile(filepath.Join(fixtures, file))
	if err != nil {
		t.Fatal(err)
	}
	x, err := tensor.FromData(a.F32, a.Shape...)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func newLayer(t *testing.T, c opCase) Layer {
	t.Helper()
	a := func(k string) int { return int(c.Attrs[k]) }
	var (
		l   Layer
		err error
	)
	switch c.Op {
	case "conv2d":
		var cv *Conv2d
		cv, err = NewConv2d(a("in"), a("out"), a("kernel"), a("stride"), a("padding"), a("groups"))
		cv.SetThreads(2)
		l = cv
	case "linear":
		l, err = NewLinear(a("in"), a("out"))
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
	default:
		t.Fatalf("unknown op %q", c.Op)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range l.Params() {
		w := load(t, c.Files[p.Name])
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
	raw, err := os.ReadFile(filepath.Join(fixtures, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []opCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			l := newLayer(t, c)
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
				if !tensor.SameShape(y.Shape, want.Shape) {
					t.Fatalf("shape %v, want %v", y.Shape, want.Shape)
				}
				d := maxAbsDiff(y.Data, want.Data)
				if d > 1e-4 || math.IsNaN(d) {
					t.Fatalf("max abs diff %g > 1e-4", d)
				}
				t.Logf("max abs diff %.3g", d)
			}
		})
	}
}

func maxAbsDiff(a, b []float32) float64 {
	var d float64
	for i := range a {
		v := math.Abs(float64(a[i] - b[i]))
		if v > d || v != v {
			d = v
		}
	}
	return d
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
