package model

import (
	"encoding/json"
	"errors"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alexnet-go/alexnet/internal/testutil"
	"github.com/alexnet-go/alexnet/nn"
	"github.com/alexnet-go/alexnet/tensor"
)

// Fixtures: testdata/gen/model.py (PyTorch 1.13 / torchvision 0.14).
const fixtures = "../testdata/model"

// TestNarrowMatchesPyTorch loads the seeded narrow torchvision-structure,
// original-structure (LRN, groups), tiny (5×5 stride-2 stem, 3×3 pool,
// 64×64 input) and tiny-bn (batch norms with running statistics) AlexNets
// with PyTorch's parameters
// and compares our logits for PyTorch's batch of 2 to 1e-4 max abs, with
// every CPU variant of the kernels (AVX-512, AVX2, portable, naive:
// whichever this build and CPU have).
func TestNarrowMatchesPyTorch(t *testing.T) {
	testutil.ForEachVariant(t, func(t *testing.T) {
		for _, name := range []string{"tv_narrow", "orig_narrow", "tiny_narrow", "tiny_bn_narrow"} {
			t.Run(name, func(t *testing.T) { testNarrow(t, name) })
		}
	})
}

func testNarrow(t *testing.T, name string) {
	t.Helper()
	dir := filepath.Join(fixtures, name)
	fc := testutil.ReadNarrowConfig(t, dir)
	cfg := Config{Arch: fc.Arch, Hidden: fc.Hidden, NumClasses: fc.NumClasses, InputSize: fc.InputSize, Threads: 2}
	copy(cfg.Channels[:], fc.Channels)
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ps := m.State()
	sd := testutil.NarrowStateDict(t, dir, fc.StateDict)
	var names []string
	for _, key := range fc.StateDict {
		if !strings.HasSuffix(key, ".num_batches_tracked") { // an int64 counter, not a tensor here
			names = append(names, key)
		}
	}
	if len(ps) != len(names) {
		t.Fatalf("%d parameters and buffers, PyTorch state_dict has %d", len(ps), len(names))
	}
	for i, key := range names {
		if ps[i].Name != key {
			t.Errorf("state %d is %q, PyTorch has %q", i, ps[i].Name, key)
		}
	}
	if err := m.LoadStateDict(sd); err != nil {
		t.Fatal(err)
	}
	for _, l := range m.Features.Layers {
		if b, ok := l.(*nn.BatchNorm2d); ok && b.NumBatchesTracked != 7 {
			t.Errorf("num_batches_tracked %d, PyTorch's is 7", b.NumBatchesTracked)
		}
	}
	x := testutil.NarrowInput(t, dir)
	want := testutil.ReadTensor(t, filepath.Join(dir, "logits.npy"))
	for run := 0; run < 2; run++ { // the second run reuses buffers
		y, err := m.Forward(x)
		if err != nil {
			t.Fatal(err)
		}
		testutil.CheckClose(t, "logits", y, want, 1e-4)
	}
}

type pySummary struct {
	InputSize int                  `json:"input_size"`
	StateDict [][2]json.RawMessage `json:"state_dict"`
	Layers    []struct {
		Name   string `json:"name"`
		Type   string `json:"type"`
		Shape  []int  `json:"shape"`
		Params int    `json:"params"`
		MACs   int64  `json:"macs"`
	} `json:"layers"`
	Params int   `json:"params"`
	MACs   int64 `json:"macs"`
}

// TestSummaryFullSize compares the full-size torchvision and original
// models with PyTorch's: state_dict names and shapes in order, and per
// module the type, output shape, parameters and MACs, and the totals
// (torchvision: 61,100,840 parameters, 714,188,480 MACs at 224×224).
func TestSummaryFullSize(t *testing.T) {
	tinyBN, _ := ConfigFor(ArchTinyBN)
	var all map[string]pySummary
	testutil.ReadJSON(t, filepath.Join(fixtures, "summary.json"), &all)
	for arch, cfg := range map[string]Config{ArchTorchvision: TorchvisionConfig(), ArchOriginal: OriginalConfig(), ArchTiny: TinyConfig(), ArchTinyBN: tinyBN} {
		t.Run(arch, func(t *testing.T) {
			want, ok := all[arch]
			if !ok {
				t.Fatalf("no %s in summary.json", arch)
			}
			m, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			ps := m.State()
			var sd [][2]json.RawMessage // less the int64 num_batches_tracked
			for _, kv := range want.StateDict {
				if !strings.Contains(string(kv[0]), "num_batches_tracked") {
					sd = append(sd, kv)
				}
			}
			if len(ps) != len(sd) {
				t.Fatalf("%d parameters and buffers, PyTorch has %d", len(ps), len(sd))
			}
			for i, kv := range sd {
				var name string
				var shape []int
				_ = json.Unmarshal(kv[0], &name)
				_ = json.Unmarshal(kv[1], &shape)
				if ps[i].Name != name || !tensor.SameShape(ps[i].T.Shape, shape) {
					t.Errorf("parameter %d: %s %v, PyTorch %s %v", i, ps[i].Name, ps[i].T.Shape, name, shape)
				}
			}
			rows, err := m.Summary(0)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != len(want.Layers) {
				t.Fatalf("%d rows, PyTorch has %d modules", len(rows), len(want.Layers))
			}
			for i, r := range rows {
				w := want.Layers[i]
				if r.Name != w.Name || r.Type != w.Type || !tensor.SameShape(r.OutShape, w.Shape) || r.Params != w.Params || r.MACs != w.MACs {
					t.Errorf("row %d: %+v, PyTorch %+v", i, r, w)
				}
			}
			tot := Totals(rows)
			params, macs := tot.Params, tot.MACs
			if params != want.Params || macs != want.MACs || m.NumParams() != want.Params {
				t.Errorf("totals %d params %d MACs, PyTorch %d, %d", params, macs, want.Params, want.MACs)
			}
			t.Logf("%s: %d parameters, %d MACs at %d×%d", arch, params, macs, want.InputSize, want.InputSize)
		})
	}
}

func narrow(t testing.TB) *AlexNet {
	cfg := smallConfigs[1]
	cfg.Threads = 1
	return newModel(t, cfg, nil)
}

func TestLoadStateDictErrors(t *testing.T) {
	m := narrow(t)
	sd := map[string]*tensor.Tensor{}
	for _, p := range m.Parameters() {
		sd[p.Name] = tensor.New(p.T.Shape...)
		for i := range sd[p.Name].Data {
			sd[p.Name].Data[i] = 1
		}
	}
	delete(sd, "features.4.bias")
	delete(sd, "classifier.6.weight")
	sd["features.2.weight"] = tensor.New(1)
	sd["classifier.1.weight"] = tensor.New(8, 145)
	sd["features.0.bias"] = &tensor.Tensor{Shape: []int{4}, Data: make([]float32, 3)}
	err := m.LoadStateDict(sd)
	var e *StateDictError
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *StateDictError", err)
	}
	if len(e.Missing) != 2 || e.Missing[0] != "classifier.6.weight" || e.Missing[1] != "features.4.bias" {
		t.Errorf("Missing = %v", e.Missing)
	}
	if len(e.Unexpected) != 1 || e.Unexpected[0] != "features.2.weight" {
		t.Errorf("Unexpected = %v", e.Unexpected)
	}
	if len(e.Mismatched) != 2 || e.Mismatched[0].Name != "classifier.1.weight" ||
		!tensor.SameShape(e.Mismatched[0].Got, []int{8, 145}) || !tensor.SameShape(e.Mismatched[0].Want, []int{8, 144}) ||
		e.Mismatched[1].Name != "features.0.bias" {
		t.Errorf("Mismatched = %+v", e.Mismatched)
	}
	t.Log(err)
	for _, p := range m.Parameters() {
		for _, v := range p.T.Data {
			if v != 0 {
				t.Fatalf("%s was loaded despite the error", p.Name)
			}
		}
	}
}

func TestForwardAndConfigErrors(t *testing.T) {
	m := narrow(t)
	var se *tensor.ShapeError
	for _, x := range []*tensor.Tensor{nil, tensor.New(1, 1, 80, 80), tensor.New(1, 3, 40, 40), tensor.New(3, 80, 80)} {
		if _, err := m.Forward(x); !errors.As(err, &se) {
			t.Errorf("Forward(%v): err = %v, want *tensor.ShapeError", x, err)
		}
	}
	if y, err := m.Forward(tensor.New(2, 3, 67, 90)); err != nil || !tensor.SameShape(y.Shape, []int{2, 3}) {
		t.Errorf("Forward 67×90 = %v, %v", y, err)
	}
	var ce *ConfigError
	for _, c := range []Config{{Arch: "vgg"}, {Arch: ArchOriginal, Channels: [5]int{5, 6, 8, 6, 4}, Hidden: 1, NumClasses: 1}} {
		if _, err := New(c); !errors.As(err, &ce) {
			t.Errorf("New(%+v): err = %v, want *ConfigError", c, err)
		}
	}
}

func benchForward(b *testing.B, batch int) {
	m, err := New(TorchvisionConfig())
	if err != nil {
		b.Fatal(err)
	}
	m.SetThreads(2)
	rng := rand.New(rand.NewSource(1))
	for _, p := range m.Parameters() {
		for i := range p.T.Data {
			p.T.Data[i] = (rng.Float32() - 0.5) * 0.02
		}
	}
	x := tensor.New(batch, 3, 224, 224)
	for i := range x.Data {
		x.Data[i] = rng.Float32()
	}
	rows, _ := m.Summary(224)
	macs := Totals(rows).MACs
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.Forward(x); err != nil {
			b.Fatal(err)
		}
	}
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(sec*1e3, "ms/forward")
	b.ReportMetric(2*float64(macs)*float64(batch)/sec/1e9, "GFLOP/s")
}

// BenchmarkForwardTorchvision runs the full-size model with 2 threads.
func BenchmarkForwardTorchvision(b *testing.B) {
	b.Run("batch1", func(b *testing.B) { benchForward(b, 1) })
	b.Run("batch8", func(b *testing.B) { benchForward(b, 8) })
}

// Summary's bytes: 4 a parameter as float32; quantized, a byte a weight of
// the convolutions and linear layers, plus float32 biases, a scale per
// output channel and the input's scale and zero point (the rest float32).
func TestSummaryBytes(t *testing.T) {
	m, err := New(TorchvisionConfig())
	if err != nil {
		t.Fatal(err)
	}
	rows, err := m.Summary(0)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]int64{
		"features.0":   {4 * (64*3*11*11 + 64), 64*3*11*11 + 4*(64+64+2)},
		"features.1":   {0, 0},
		"classifier.6": {4 * (1000*4096 + 1000), 1000*4096 + 4*(1000+1000+2)},
	}
	for _, r := range rows {
		if w, ok := want[r.Name]; ok && (r.BytesF32 != w[0] || r.BytesInt8 != w[1]) {
			t.Errorf("%s: %d / %d bytes, want %d / %d", r.Name, r.BytesF32, r.BytesInt8, w[0], w[1])
		}
	}
	if tot := Totals(rows); tot.BytesF32 != 4*int64(tot.Params) || tot.BytesF32 != 244_403_360 {
		t.Errorf("float32 total %d bytes, want 4 × %d parameters = 244,403,360", tot.BytesF32, tot.Params)
	}
}
