package main

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/alexnet-go/alexnet/bench/harness"
	"github.com/alexnet-go/alexnet/internal/testutil"
	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/model"
)

// bench --json on the full torchvision model at the smallest size it
// takes: one JSON object with the required keys, the flags echoed, one
// layer per summary row and percentages summing to 100.
func TestBenchJSON(t *testing.T) {
	prev := kernels.ActiveSgemm()
	stdout, _, err := run(t, "bench", "--batch", "2", "--iters", "1", "--warmup", "0", "--size", "63",
		"--threads", "2", "--sgemm", "naive", "--json")
	if err != nil {
		t.Fatal(err)
	}
	if kernels.ActiveSgemm() != prev {
		t.Errorf("--sgemm left %s active, not %s", kernels.ActiveSgemm(), prev)
	}
	dec := json.NewDecoder(strings.NewReader(stdout))
	var raw map[string]json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		t.Fatalf("bad JSON %q: %v", stdout, err)
	}
	if dec.More() {
		t.Errorf("more than one JSON value:\n%s", stdout)
	}
	for _, k := range []string{"arch", "batch", "threads", "iters", "sgemm", "ms_per_batch", "min_ms_per_batch",
		"images_per_sec", "gflops", "layers"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("no %q in %s", k, stdout)
		}
	}
	var r harness.Report
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	if r.Arch != "torchvision" || r.Batch != 2 || r.Threads != 2 || r.Iters != 1 || r.Size != 63 || r.Sgemm != "naive" {
		t.Errorf("flags not echoed: %+v", r)
	}
	if r.ImagesPerSec <= 0 || r.MsPerBatch <= 0 || r.MinMs <= 0 || r.GFLOPS <= 0 {
		t.Errorf("times %+v", r)
	}
	m, err := model.New(model.TorchvisionConfig())
	if err != nil {
		t.Fatal(err)
	}
	rows, err := m.Summary(63)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Layers) != len(rows) {
		t.Fatalf("%d layers, the model has %d", len(r.Layers), len(rows))
	}
	var sum float64
	for i, l := range r.Layers {
		if l.Name != rows[i].Name || l.Type != rows[i].Type || l.MACs != rows[i].MACs || l.Ms < 0 {
			t.Errorf("layer %d: %+v, summary %+v", i, l, rows[i])
		}
		sum += l.Percent
	}
	if math.Abs(sum-100) > 0.01 {
		t.Errorf("percentages sum to %g", sum)
	}
}

func TestBenchText(t *testing.T) {
	stdout, _, err := run(t, "bench", "--arch", "original", "--iters", "1", "--warmup", "0", "--size", "67", "--threads", "2")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"features.14", "classifier.6", "images/s", "GFLOP/s", "LocalResponseNorm"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("no %q in:\n%s", want, stdout)
		}
	}
}

func TestBenchBadFlags(t *testing.T) {
	for _, c := range []struct{ args, want string }{
		{"--batch 0", "--batch"},
		{"--iters 0", "--iters"},
		{"--warmup -1", "--warmup"},
		{"--size 20", "--size"},
		{"--arch vgg", "vgg"},
		{"--sgemm nosuch", kernels.SgemmImpls()[0]}, // the error lists the available names
		{"--precision int4", "--precision"},
	} {
		_, _, err := run(t, append([]string{"bench"}, strings.Fields(c.args)...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("bench %s: err = %v, want one mentioning %q", c.args, err, c.want)
		}
	}
}

// bench --precision int8 times the quantized model: a JSON report saying
// int8, with images/s and a row per module, the convolutions, pools and
// linear layers timed and the ReLUs and dropouts (which the int8 layers
// include, or skip) at zero.
func TestBenchInt8(t *testing.T) {
	stdout, _, err := run(t, "bench", "--arch", "tiny", "--precision", "int8", "--batch", "2", "--iters", "1", "--warmup", "0", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Precision    string  `json:"precision"`
		Batch        int     `json:"batch"`
		ImagesPerSec float64 `json:"images_per_sec"`
		Layers       []struct {
			Name, Type string
			MS         float64
		} `json:"layers"`
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if r.Precision != "int8" || r.Batch != 2 || r.ImagesPerSec <= 0 || len(r.Layers) != 21 {
		t.Fatalf("report %+v", r)
	}
	for _, l := range r.Layers {
		switch timed := l.MS > 0; l.Type {
		case "Conv2d", "Linear", "MaxPool2d":
			if !timed {
				t.Errorf("%s (%s) not timed", l.Name, l.Type)
			}
		case "ReLU", "Dropout":
			if timed {
				t.Errorf("%s (%s) timed: %v ms", l.Name, l.Type, l.MS)
			}
		}
	}
}

// TestBenchWeights: --weights times the file's model, the architecture
// and input size taken from the file (an ONNX graph in Caffe's layout:
// original, 227×227); --arch given explicitly must fit the file.
func TestBenchWeights(t *testing.T) {
	path := testutil.Testdata(t, "onnx", "caffe_narrow_op12.onnx")
	stdout, _, err := run(t, "bench", "--weights", path, "--iters", "1", "--warmup", "0", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Arch string `json:"arch"`
		Size int    `json:"size"`
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil || r.Arch != "original" || r.Size != 227 {
		t.Fatalf("%+v, %v; want original at 227:\n%s", r, err, stdout)
	}
	if _, _, err := run(t, "bench", "--weights", path, "--arch", "torchvision", "--iters", "1"); err == nil || !strings.Contains(err.Error(), `"original"`) {
		t.Errorf("--arch torchvision on an original graph: %v", err)
	}
}
