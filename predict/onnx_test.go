package predict_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alexnet-go/alexnet/internal/testutil"
	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/predict"
	"github.com/alexnet-go/alexnet/tensor"
)

// TestONNXAgainstORT loads every testdata/onnx model with its
// architecture, input size and preprocessing taken from the file
// (predict.Load with arch ""), runs the 20 photos of photos.json through
// our preprocessing and forward pass, and compares the logits with ONNX
// Runtime's and PyTorch's on the same photos (testdata/gen/onnx_graphs.py):
// at most 1e-4 apart, the same top-5 classes in the same order. For the
// graphs that end in Softmax (the Caffe layout, tv_narrow_mm) ORT's output
// is probabilities: the logits are compared with ORT's run of the graph
// without its Softmax, and our softmax with its output (within 1e-5).
// $ALEXNET_ONNX_DIR names another folder of models and references in the
// same layout (onnx_graphs.py --full=DIR writes the full-size torchvision
// AlexNet's).
func TestONNXAgainstORT(t *testing.T) {
	var photos struct {
		Photos []string `json:"photos"`
	}
	fixtures := testutil.Testdata(t, "onnx")
	if d := os.Getenv("ALEXNET_ONNX_DIR"); d != "" {
		fixtures = d
	}
	testutil.ReadJSON(t, filepath.Join(fixtures, "photos.json"), &photos)
	dir := testutil.SharedData(t, "tiny-imagenet-200", "val", "images")
	models, err := filepath.Glob(filepath.Join(fixtures, "*.onnx"))
	if err != nil || len(models) == 0 || fixtures == testutil.Testdata(t, "onnx") && len(models) < 13 {
		t.Fatalf("%d models in %s: %v", len(models), fixtures, err)
	}
	want := map[string]string{"caffe": "original", "tv": "torchvision", "tiny": "tiny-bn"}
	for _, path := range models {
		stem := strings.TrimSuffix(filepath.Base(path), ".onnx")
		t.Run(stem, func(t *testing.T) {
			p, err := predict.Load("", path, 1)
			if err != nil {
				t.Fatal(err)
			}
			if a := want[strings.Split(stem, "_")[0]]; p.Arch != a {
				t.Fatalf("architecture %q, want %q", p.Arch, a)
			}
			xs := make([]*tensor.Tensor, len(photos.Photos))
			for i, f := range photos.Photos {
				if xs[i], err = p.Preprocess(filepath.Join(dir, f)); err != nil {
					t.Fatal(err)
				}
			}
			x, err := tensor.Stack(xs)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Forward(context.Background(), x)
			if err != nil {
				t.Fatal(err)
			}
			ort := filepath.Join(fixtures, "ort", stem+".npy")
			if _, err := os.Stat(filepath.Join(fixtures, "ort", stem+".logits.npy")); err == nil {
				probs := tensor.New(got.Shape...)
				kernels.Softmax(got.Shape[0], got.Shape[1], got.Data, probs.Data)
				testutil.CheckClose(t, "softmax vs ORT's", probs, testutil.ReadTensor(t, ort), 1e-5)
				ort = strings.TrimSuffix(ort, ".npy") + ".logits.npy"
			}
			for ref, file := range map[string]string{"ORT": ort, "PyTorch": filepath.Join(fixtures, "torch", stem+".npy")} {
				w := testutil.ReadTensor(t, file)
				testutil.CheckClose(t, "logits vs "+ref+"'s", got, w, 1e-4)
				checkTop5(t, ref, got, w)
			}
		})
	}
}

// checkTop5 fails t unless each row of got has the top-5 classes of the
// same row of want, in the same order.
func checkTop5(t *testing.T, ref string, got, want *tensor.Tensor) {
	t.Helper()
	n := got.Shape[1]
	for i := 0; i < got.Shape[0]; i++ {
		g, w := predict.TopK(got.Data[i*n:(i+1)*n], 5), predict.TopK(want.Data[i*n:(i+1)*n], 5)
		for j := range w {
			if g[j].Index != w[j].Index {
				t.Fatalf("image %d: top-5 %v, %s's %v", i, g, ref, w)
			}
		}
	}
}
