package predict

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/alexnet-go/alexnet/internal/testutil"
	"github.com/alexnet-go/alexnet/qmodel"
	"github.com/alexnet-go/alexnet/quant"
	"github.com/alexnet-go/alexnet/tensor"
	"github.com/alexnet-go/alexnet/weights"
)

// LoadInt8 runs the quantized narrow model: logits within 5% of the logit
// range of the float32 model's, a replica giving the same bits, the
// classes.txt beside the file read, and a float32 file refused.
func TestLoadInt8(t *testing.T) {
	fp, err := Load("torchvision", filepath.Join(fixtures, "tv_narrow.pth"), 1)
	if err != nil {
		t.Fatal(err)
	}
	var xs []*tensor.Tensor
	for _, f := range images(t) {
		x, err := fp.Preprocess(f)
		if err != nil {
			t.Fatal(err)
		}
		xs = append(xs, x)
	}
	x, _ := tensor.Stack(xs)
	q, err := qmodel.Calibrate(context.Background(), fp.Model, qmodel.BatchesOf(1, 1, func(int, int) (*tensor.Tensor, error) { return x, nil }), qmodel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "q.safetensors")
	if err := quant.Save(path, q); err != nil {
		t.Fatal(err)
	}
	names := make([]string, fp.Model.Config().NumClasses)
	for i := range names {
		names[i] = "n" + strings.Repeat("0", 8)
	}
	if err := weights.WriteClasses(dir, names); err != nil {
		t.Fatal(err)
	}
	p, err := LoadInt8("torchvision", path, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Int8() || fp.Int8() || len(p.Classes) != len(names) {
		t.Fatalf("Int8() %v (float32 %v), %d classes", p.Int8(), fp.Int8(), len(p.Classes))
	}
	checkInt8Logits(t, fp, p, x)
	if _, err := LoadInt8("torchvision", filepath.Join(fixtures, "tv_narrow.pth"), 1); err == nil {
		t.Error("a float32 .pth loaded as int8")
	}
}

// checkInt8Logits compares p's int8 logits for x with fp's and with a
// replica's.
func checkInt8Logits(t *testing.T, fp, p *Predictor, x *tensor.Tensor) {
	t.Helper()
	logits := func(p *Predictor) []float32 {
		y, err := p.Forward(context.Background(), x)
		if err != nil {
			t.Fatal(err)
		}
		return y.Data
	}
	got := logits(p)
	testutil.CheckRangeClose(t, "int8 vs float32 logits", got, logits(fp), 0.05)
	r, err := p.Replica()
	if err != nil {
		t.Fatal(err)
	}
	if again := logits(r); !slices.Equal(again, got) {
		t.Errorf("a replica's int8 logits differ from the original's")
	}
}
