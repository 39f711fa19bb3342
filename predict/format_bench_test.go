package predict_test

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/alexnet-go/alexnet/imageproc"
	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/predict"
	"github.com/alexnet-go/alexnet/tensor"
	"github.com/alexnet-go/alexnet/weights"
)

// BenchmarkForwardONNXvsPTH: the same full-size torchvision AlexNet
// (seeded random weights) saved as .pth and as .onnx and loaded by
// predict.Load, forward passes at batch 1 taking turns, one of each per
// iteration; it reports each file's median ms per pass and their ratio
// (onnx/pth: 1 when the two run the same kernels on the same layers).
func BenchmarkForwardONNXvsPTH(b *testing.B) {
	dir := b.TempDir()
	m, err := model.New(model.TorchvisionConfig())
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	sd := weights.NewStateDict()
	for name, t := range m.StateDict() {
		for i := range t.Data {
			t.Data[i] = float32(rng.NormFloat64()) * 0.01
		}
		if err := sd.Add(name, t); err != nil {
			b.Fatal(err)
		}
	}
	pth, onnx := filepath.Join(dir, "m.pth"), filepath.Join(dir, "m.onnx")
	if err := weights.Save(pth, sd); err != nil {
		b.Fatal(err)
	}
	err = weights.SaveONNX(onnx, sd, weights.ONNXExport{Arch: model.ArchTorchvision, Mean: imageproc.ImageNetMean, Std: imageproc.ImageNetStd})
	if err != nil {
		b.Fatal(err)
	}
	var ps [2]*predict.Predictor
	for i, path := range []string{pth, onnx} {
		if ps[i], err = predict.Load("", path, 0); err != nil {
			b.Fatal(err)
		}
	}
	x := tensor.New(1, 3, 224, 224)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	var ms [2][]float64
	ctx := context.Background()
	for i := range ps { // warm-up: pack the weights
		if _, err := ps[i].Forward(ctx, x); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		for i := range ps {
			start := time.Now()
			if _, err := ps[i].Forward(ctx, x); err != nil {
				b.Fatal(err)
			}
			ms[i] = append(ms[i], float64(time.Since(start).Microseconds())/1e3)
		}
	}
	pm, om := median(ms[0]), median(ms[1])
	b.ReportMetric(pm, "pth-ms/pass")
	b.ReportMetric(om, "onnx-ms/pass")
	b.ReportMetric(om/pm, "onnx/pth")
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	slices.Sort(s)
	return s[len(s)/2]
}
