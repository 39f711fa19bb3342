package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/alexnet-go/alexnet/internal/testutil"
	"github.com/alexnet-go/alexnet/predict"
	"github.com/alexnet-go/alexnet/tensor"
	"github.com/alexnet-go/alexnet/weights"
)

// TestONNXExportRunsInORT: `alexnet weights convert IN OUT.onnx` of a
// model trained here (tiny-bn, by `alexnet train`), of the narrow
// fixtures of the other architectures (PyTorch's seeded weights) and of
// the Caffe layout at 224×224 (round-up pooling) gives
// files that ONNX Runtime runs with logits within 1e-5 of ours, and that
// we read back to bit-identical logits. $ALEXNET_ONNX_CHECK_WEIGHTS adds
// a weights file of one's own (e.g. the Tiny ImageNet model of the
// README's training section). It needs ONNX Runtime: $ALEXNET_ORT_DIR,
// a folder where `npm install --ignore-scripts onnxruntime-node@1.30.0`
// was run (.ci/run makes one); without it the test skips.
func TestONNXExportRunsInORT(t *testing.T) {
	ortDir := os.Getenv("ALEXNET_ORT_DIR")
	if ortDir == "" {
		t.Skip("ALEXNET_ORT_DIR is not set: no ONNX Runtime to run the exported models (.ci/run installs onnxruntime-node)")
	}
	tmp := t.TempDir()
	data := t.TempDir()
	writeWNIDFolder(t, data, 4)
	if _, stderr, err := run(t, "--threads", "2", "train", "--preset", "tiny-imagenet", "--data", data, "--out", tmp,
		"--epochs", "2", "--batch", "4", "--channels", "8,8,8,8,8", "--hidden", "16", "--seed", "2"); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	files := map[string]string{"trained_tiny_bn": filepath.Join(tmp, "model.pth")}
	fixtures := t.TempDir() // without the trained model's classes.txt
	for _, name := range []string{"tv_narrow", "orig_narrow", "tiny_narrow"} {
		dir := testutil.Testdata(t, "model", name)
		sd := weights.NewStateDict()
		for k, v := range testutil.NarrowStateDict(t, dir, testutil.ReadNarrowConfig(t, dir).StateDict) {
			if err := sd.Add(k, v); err != nil {
				t.Fatal(err)
			}
		}
		files[name] = filepath.Join(fixtures, name+".safetensors")
		if err := weights.Save(files[name], sd); err != nil {
			t.Fatal(err)
		}
	}
	// the zoo's layout at 224×224: Caffe's round-up pooling, written back
	// as ceil_mode 1
	files["caffe_224"] = testutil.Testdata(t, "onnx", "caffe_narrow_224_op9.onnx")
	if own := os.Getenv("ALEXNET_ONNX_CHECK_WEIGHTS"); own != "" {
		files["own"] = own
	}
	for name, in := range files {
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(fixtures, name+".onnx")
			if _, stderr, err := run(t, "weights", "convert", in, out); err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			want, err := predict.Load("", in, 0)
			if err != nil {
				t.Fatal(err)
			}
			got, err := predict.Load("", out, 0)
			if err != nil {
				t.Fatal(err)
			}
			cfg := got.Model.Config()
			if got.Arch != want.Arch || cfg != want.Model.Config() || *got.Transform != *want.Transform {
				t.Fatalf("read back as %s %+v %+v, want %s %+v %+v", got.Arch, cfg, got.Transform, want.Arch, want.Model.Config(), want.Transform)
			}
			x := randomInput(3, cfg.InputSize)
			a := forward(t, want, x)
			b := forward(t, got, x)
			testutil.CheckClose(t, "read back", b, a, 0)
			testutil.CheckClose(t, "ONNX Runtime's", runORT(t, ortDir, out, x), a, 1e-5)
		})
	}
}

// TestONNXExportInt8RunsInORT: `alexnet weights convert Q.safetensors
// OUT.onnx` of an int8 model (`alexnet quantize` of the narrow
// torchvision fixture) is a QDQ graph that ONNX Runtime runs (fusing it
// into QLinearConv and QGemm): its logits agree with our int8 logits
// within 1e-3 (measured: 1.3e-4; the two round their requantizations
// alike but not always identically), and its top-1 classes with ours. Skips without $ALEXNET_ORT_DIR, as TestONNXExportRunsInORT.
func TestONNXExportInt8RunsInORT(t *testing.T) {
	ortDir := os.Getenv("ALEXNET_ORT_DIR")
	if ortDir == "" {
		t.Skip("ALEXNET_ORT_DIR is not set: no ONNX Runtime to run the exported model (.ci/run installs onnxruntime-node)")
	}
	data := t.TempDir()
	writeWNIDFolder(t, data, 4)
	dir := t.TempDir()
	q, out := filepath.Join(dir, "q.safetensors"), filepath.Join(dir, "q.onnx")
	if _, stderr, err := run(t, "quantize", "--weights", testutil.NarrowWeights(t), "--calib", data, "--calib-split", "", "--calib-n", "12", "--out", q); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if _, stderr, err := run(t, "weights", "convert", q, out); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	p, err := predict.LoadInt8("", q, 0)
	if err != nil {
		t.Fatal(err)
	}
	x := randomInput(8, 224)
	ours := forward(t, p, x)
	theirs := runORT(t, ortDir, out, x)
	testutil.CheckClose(t, "ONNX Runtime's int8", theirs, ours, 1e-3)
	n := ours.Shape[1]
	for i := 0; i < ours.Shape[0]; i++ {
		if a, b := predict.TopK(ours.Data[i*n:(i+1)*n], 1)[0], predict.TopK(theirs.Data[i*n:(i+1)*n], 1)[0]; a.Index != b.Index {
			t.Errorf("image %d: top-1 %d, ORT's %d", i, a.Index, b.Index)
		}
	}
}

// randomInput is a seeded (n, 3, size, size) batch of N(0, 1) values.
func randomInput(n, size int) *tensor.Tensor {
	rng := rand.New(rand.NewPCG(7, 8))
	x := tensor.New(n, 3, size, size)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	return x
}

func forward(t *testing.T, p *predict.Predictor, x *tensor.Tensor) *tensor.Tensor {
	t.Helper()
	y, err := p.Forward(context.Background(), x)
	if err != nil {
		t.Fatal(err)
	}
	return y
}

// runORT runs model in ONNX Runtime on x through
// testdata/gen/ort_logits.mjs and returns its first output.
func runORT(t *testing.T, ortDir, model string, x *tensor.Tensor) *tensor.Tensor {
	t.Helper()
	dir := t.TempDir()
	in, out := filepath.Join(dir, "x.f32"), filepath.Join(dir, "y.f32")
	buf := make([]byte, 4*len(x.Data))
	for i, v := range x.Data {
		binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
	}
	if err := os.WriteFile(in, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	dims := make([]string, len(x.Shape))
	for i, d := range x.Shape {
		dims[i] = strconv.Itoa(d)
	}
	cmd := exec.Command("node", testutil.Testdata(t, "gen", "ort_logits.mjs"), ortDir, model, in, strings.Join(dims, ","), out)
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("ONNX Runtime: %v", err)
	}
	var info struct {
		Dims []int `json:"dims"`
	}
	if err := json.Unmarshal(stdout, &info); err != nil {
		t.Fatalf("ort_logits.mjs printed %q: %v", stdout, err)
	}
	raw := testutil.ReadFile(t, out)
	y := tensor.New(info.Dims...)
	if 4*len(y.Data) != len(raw) {
		t.Fatalf("ONNX Runtime wrote %d bytes for dims %v", len(raw), info.Dims)
	}
	for i := range y.Data {
		y.Data[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return y
}

// TestWeightsInfoONNX: weights info of an ONNX file says what its graph
// was read as (the zoo's Caffe layout at 224×224: original, LRN bias 1,
// round-up pooling, Caffe's preprocessing, the Softmax) and prints our
// layer table before the tensors.
func TestWeightsInfoONNX(t *testing.T) {
	stdout, _, err := run(t, "weights", "info", testutil.Testdata(t, "onnx", "caffe_narrow_224_op9.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"read as architecture original (LRN bias 1), its max pools rounding up",
		"CenterCrop(224)", "Caffe's layout, BGR pixels in 0..255 minus 104, 117, 123", "the graph ends in Softmax",
		"features.3     MaxPool2d          [1, 8, 27, 27]", "features.0.weight    [8, 3, 11, 11]"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("no %q in:\n%s", want, stdout)
		}
	}
}
