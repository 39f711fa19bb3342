package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alexnet-go/alexnet/imageproc"
	"github.com/alexnet-go/alexnet/internal/testutil"
	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/predict"
	"github.com/alexnet-go/alexnet/qmodel"
	"github.com/alexnet-go/alexnet/quant"
	"github.com/alexnet-go/alexnet/tensor"
)

// quantize calibrates the narrow torchvision model on an ImageFolder of
// the fixture images and writes a file that quant.Load reads: its 8
// layers give logits near the float32 model's; classify and explain take
// it. Bad flags are refused.
func TestQuantizeCommand(t *testing.T) {
	data := t.TempDir()
	for i, f := range images(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, data, []string{"a", "b"}[i%2], filepath.Base(f), b)
	}
	out := filepath.Join(t.TempDir(), "q.safetensors")
	stdout, _, err := run(t, "quantize", "--weights", narrowWeights, "--calib", data, "--calib-split", "", "--calib-n", "5", "--out", out)
	if err != nil || !strings.Contains(stdout, "on 5 images") {
		t.Fatalf("quantize: %v\n%s", err, stdout)
	}
	qm, err := quant.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(qm.Layers) != 8 {
		t.Errorf("%d quantized layers, want 8 (5 convolutions, 3 linear)", len(qm.Layers))
	}
	checkQuantizedLogits(t, qm, images(t)[0])
	stdout, _, err = run(t, "classify", "--precision", "int8", "--weights", out, "--json", images(t)[0])
	if err != nil || strings.Count(stdout, `"index"`) != 5 {
		t.Errorf("classify --precision int8: %v\n%s", err, stdout)
	}
	// explain takes the int8 file, through its dequantized float32 network.
	stdout, stderr, err := run(t, "explain", "--weights", out, "--out", t.TempDir(), "--json", images(t)[0])
	if err != nil || !strings.Contains(stdout, `"method":"gradcam"`) {
		t.Errorf("explain of the int8 model: %v\n%s%s", err, stdout, stderr)
	}
	if _, _, err := run(t, "classify", "--precision", "int4", "--weights", out, images(t)[0]); err == nil || !strings.Contains(err.Error(), "--precision") {
		t.Errorf("--precision int4: %v", err)
	}
	for _, args := range [][]string{
		{"quantize", "--weights", narrowWeights, "--calib", data, "--out", filepath.Join(t.TempDir(), "q.pth")},
		{"quantize", "--weights", narrowWeights, "--out", out},
		{"quantize", "--weights", narrowWeights, "--calib", data, "--calib-split", "", "--observer", "mse", "--out", out},
	} {
		if _, _, err := run(t, args...); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

// checkQuantizedLogits compares the int8 model of qm with the float32 one
// on the image at path: within 5% of the logits' range.
func checkQuantizedLogits(t *testing.T, qm *quant.Model, path string) {
	t.Helper()
	p, err := predict.Load(model.ArchTorchvision, narrowWeights, 1)
	if err != nil {
		t.Fatal(err)
	}
	q, err := qmodel.New(qm, p.Model.Config())
	if err != nil {
		t.Fatal(err)
	}
	x, err := imageproc.PreprocessFile(path, p.Transform)
	if err != nil {
		t.Fatal(err)
	}
	x, _ = tensor.Stack([]*tensor.Tensor{x})
	want, err := p.Model.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	got, err := q.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	testutil.CheckRangeClose(t, "int8 vs float32 logits", got.Data, want.Data, 0.05)
}
