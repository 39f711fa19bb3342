package qmodel

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/alexnet-go/alexnet/internal/numcmp"
	"github.com/alexnet-go/alexnet/internal/testutil"
	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/nn"
	"github.com/alexnet-go/alexnet/quant"
	"github.com/alexnet-go/alexnet/tensor"
)

// The tests in this file hold Calibrate and the int8 network to PyTorch
// 1.13's own int8 of the narrow models (testdata/quant/<name>, written by
// testdata/gen/qmodel.py): FX post-training quantization with the onednn
// engine's default QConfigMapping (activations quint8 0..255 by
// HistogramObserver, weights qint8 symmetric per output channel, batch
// norms and ReLUs fused), calibrated, as Calibrate is here, on the
// fixture's own input batch.
var torchModels = []string{"tiny_narrow", "tiny_bn_narrow", "tv_narrow"}

// torchInt8 is testdata/quant/<name>: qparams.json (per quantized layer,
// in forward order, the quantizer of the quint8 tensor the converted layer
// is given, its per-channel weight scales and its output quantizer) and
// the float32 and int8 logits of PyTorch on the batch.
type torchInt8 struct {
	Torch, Engine string
	Layers        []struct {
		Name            string
		InputScale      float32   `json:"input_scale"`
		InputZeroPoint  int32     `json:"input_zero_point"`
		InputQMin       int32     `json:"input_qmin"`
		InputQMax       int32     `json:"input_qmax"`
		WeightScales    []float32 `json:"weight_scales"`
		OutputScale     float32   `json:"output_scale"`
		OutputZeroPoint int32     `json:"output_zero_point"`
	}
	fp32, int8 *tensor.Tensor
}

func readTorchInt8(t *testing.T, name string) *torchInt8 {
	t.Helper()
	var f torchInt8
	testutil.ReadJSON(t, testutil.Testdata(t, "quant", name, "qparams.json"), &f)
	f.fp32 = testutil.ReadTensor(t, testutil.Testdata(t, "quant", name, "logits_fp32.npy"))
	f.int8 = testutil.ReadTensor(t, testutil.Testdata(t, "quant", name, "logits_int8.npy"))
	return &f
}

// TestTorchQuantizers compares, layer by layer, the quant.Model that
// Calibrate (Options{}: histogram, 0..255) makes with PyTorch's.
//
// Input quantizers: the zero points and ranges are equal, and so is the
// first layer's scale, bit for bit (its input is the images). The other
// scales are within 1e-5 relative but mostly not equal (measured over the
// kernel variants: up to 7 ulps, 6.9e-7 relative), because the float32
// activations the observers see differ in their last bits: our float32
// forward sums in another order than PyTorch's and, in tiny_bn, runs each
// convolution and then its batch norm where PyTorch calibrates the folded
// convolution. Fed PyTorch's own float32 activations (dumped from its
// observers while writing this test; 3 MB, not kept), quant.Histogram
// returns PyTorch's scale and zero point bit for bit on all 24 layers,
// classifier.1 included, whose PyTorch observer also sees the flatten's
// output (the pooled values a second time) where ours does not: that
// changes nothing on these batches. 1e-5 is the float32 forward's
// agreement with PyTorch (the model tests' 1e-4 on logits of O(10)); a
// histogram bin chosen differently would move a scale by about 1/2048 of
// the range or more.
//
// Weight scales: equal bit for bit, folded or not: FoldBatchNorm computes
// 1/sqrt(var+eps) as fuse_conv_bn_weights's torch.rsqrt does, 1/sqrtf,
// two float32 roundings (rounding it once, as it did before, left 21 of
// the 80 channels of tiny_bn_narrow 1 or 2 ulps apart). torchWeightScales
// redoes the fold in that arithmetic from the float32 weights as a check
// of the fixture.
func TestTorchQuantizers(t *testing.T) {
	testutil.ForEachVariant(t, func(t *testing.T) {
		for _, name := range torchModels {
			t.Run(name, func(t *testing.T) { testTorchQuantizers(t, name) })
		}
	})
}

func testTorchQuantizers(t *testing.T, name string) {
	m, _, x := narrow(t, name)
	qm := calibrate(t, m, x, Options{})
	f := readTorchInt8(t, name)
	var names, want []string
	for _, l := range qm.Layers {
		names = append(names, l.Name)
	}
	for _, l := range f.Layers {
		want = append(want, l.Name)
	}
	if !slices.Equal(names, want) {
		t.Fatalf("quantized layers %v, PyTorch's %v", names, want)
	}
	var in, w struct {
		differ, n int
		ulps      int64
	}
	worstRel := 0.0
	for i, tl := range f.Layers {
		l := qm.Layers[i]
		p := quant.Params{Scale: tl.InputScale, ZeroPoint: tl.InputZeroPoint, Range: quant.Range{QMin: tl.InputQMin, QMax: tl.InputQMax}}
		rel := math.Abs(float64(l.Input.Scale)/float64(p.Scale) - 1)
		switch {
		case l.Input.ZeroPoint != p.ZeroPoint || l.Input.Range != p.Range:
			t.Errorf("%s input: %+v, PyTorch %+v", l.Name, l.Input, p)
		case i == 0 && l.Input.Scale != p.Scale:
			t.Errorf("%s input scale %v, PyTorch %v: want them equal (the images are exact)", l.Name, l.Input.Scale, p.Scale)
		case rel > 1e-5:
			t.Errorf("%s input scale %v, PyTorch %v: %.2g apart, relative", l.Name, l.Input.Scale, p.Scale, rel)
		}
		in.n++
		if u := ulps(l.Input.Scale, p.Scale); u > 0 {
			in.differ, in.ulps, worstRel = in.differ+1, max(in.ulps, u), max(worstRel, rel)
		}

		ref, folded := torchWeightScales(t, m, l.Name)
		if !slices.Equal(ref, tl.WeightScales) {
			t.Errorf("%s: the fold with torch.rsqrt's arithmetic does not give PyTorch's weight scales", l.Name)
		}
		worst := int64(0)
		for c, s := range tl.WeightScales {
			u := ulps(l.WeightScale[c], s)
			if worst = max(worst, u); u > 0 {
				w.differ++
			}
		}
		w.n += len(tl.WeightScales)
		w.ulps = max(w.ulps, worst)
		if worst > 0 {
			t.Errorf("%s weight scales: up to %d ulps from PyTorch's (folded: %v)", l.Name, worst, folded)
		}
	}
	t.Logf("input scales: %d of %d differ from PyTorch's, by up to %d ulps (%.2g relative); weight scales: %d of %d, by up to %d ulps",
		in.differ, in.n, in.ulps, worstRel, w.differ, w.n, w.ulps)
}

// TestTorchLogits compares our int8 logits with PyTorch's on the batch
// both were calibrated on, and both with the float32 logits.
//
// PyTorch's int8 model ends with a quint8 output quantizer (classifier.6's
// output, chosen by a HistogramObserver from the calibration logits) and
// returns its values dequantized; ours returns the int32 sums dequantized.
// On the fixtures' 20 logits the histogram search clips the largest ones
// (tiny_narrow: 12.5 to 5.6), so the raw difference mostly measures that
// clipping (measured: 6.97 for tiny_narrow, whose float32 logits span
// 26.2; 0.55 and 0.86 for tiny_bn_narrow and tv_narrow). The test puts our
// logits on PyTorch's output grid (its output quantizer) and compares the
// codes. With equal quantizers and int8 weights both compute the same
// exact int32 sums and requantize them alike: every uint8 activation of
// every layer equals PyTorch's (checked against PyTorch's int_repr while
// writing this test) and so do the codes (measured: 0 of the 20 logits
// differ on each model). What could remain is a logit whose unrounded value
// sits at a midpoint of PyTorch's grid, or an activation rounded the other
// way where its scale is a few ulps apart (TestTorchQuantizers): the bound
// is 1 step, 1/255 of PyTorch's output range. The top-1 class must be
// PyTorch's on every image (one of PyTorch's if its clipping ties them).
//
// Against float32 (logged, not asserted; TestInt8NearFloat32 bounds ours):
// ours within 0.40, 1.72 and 0.72 (1.5%, 7.9% and 7.1% of the range) for
// tiny_narrow, tiny_bn_narrow and tv_narrow; PyTorch's within 6.91, 2.21
// and 1.56 as they are, 0.28, 1.21 and 0.71 with the float32 logits
// clipped to its output range; both give float32's top-1 on every image.
func TestTorchLogits(t *testing.T) {
	testutil.ForEachVariant(t, func(t *testing.T) {
		for _, name := range torchModels {
			t.Run(name, func(t *testing.T) { testTorchLogits(t, name) })
		}
	})
}

func testTorchLogits(t *testing.T, name string) {
	m, cfg, x := narrow(t, name)
	q, err := New(calibrate(t, m, x, Options{}), cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := forward(t, q, x)
	f := readTorchInt8(t, name)
	if !tensor.SameShape(got.Shape, f.int8.Shape) || !tensor.SameShape(got.Shape, f.fp32.Shape) {
		t.Fatalf("logits %v, PyTorch's %v and %v", got.Shape, f.int8.Shape, f.fp32.Shape)
	}
	last := f.Layers[len(f.Layers)-1]
	out := quant.Params{Scale: last.OutputScale, ZeroPoint: last.OutputZeroPoint, Range: quant.Uint8}
	worst, differ := int32(0), 0
	for i, v := range f.int8.Data {
		c := out.Quantize(v)
		if out.Dequantize(c) != v {
			t.Fatalf("PyTorch's int8 logit %d (%v) is not on its output grid %+v", i, v, out)
		}
		d := out.Quantize(got.Data[i]) - c
		if worst = max(worst, d, -d); d != 0 {
			differ++
		}
	}
	if worst > 1 {
		t.Errorf("on PyTorch's output grid, our logits are up to %d steps from PyTorch's int8 ones, want at most 1", worst)
	}
	for n := range got.Shape[0] {
		mine, theirs := row(got, n), row(f.int8, n)
		if top := argmax(mine); theirs[top] != slices.Max(theirs) {
			t.Errorf("image %d: our top-1 is class %d, PyTorch int8's %d", n, top, argmax(theirs))
		}
	}
	lo, hi := out.Dequantize(out.QMin), out.Dequantize(out.QMax)
	clipped := f.fp32.Clone()
	for i, v := range clipped.Data {
		clipped.Data[i] = min(max(v, lo), hi)
	}
	r := logitRange(f.fp32)
	t.Logf("ours vs PyTorch int8: max abs %.3g; on its output grid (step %.3g) %d of %d logits differ, by up to %d steps; top-1 equal",
		numcmp.MaxAbsDiff(got.Data, f.int8.Data), out.Scale, differ, len(got.Data), worst)
	t.Logf("vs float32 (range %.3g): ours max abs %.3g (%.1f%%), top-1 equal %s; PyTorch's %.3g (%.3g against float32 clipped to [%.3g, %.3g]), top-1 equal %s",
		r, numcmp.MaxAbsDiff(got.Data, f.fp32.Data), 100*numcmp.MaxAbsDiff(got.Data, f.fp32.Data)/r, sameTop1(got, f.fp32),
		numcmp.MaxAbsDiff(f.int8.Data, f.fp32.Data), numcmp.MaxAbsDiff(f.int8.Data, clipped.Data), lo, hi, sameTop1(f.int8, f.fp32))
}

// row is row n of y, (N, classes).
func row(y *tensor.Tensor, n int) []float32 {
	c := y.Shape[1]
	return y.Data[n*c : (n+1)*c]
}

// argmax is the index of the first largest value of v.
func argmax(v []float32) int { return slices.Index(v, slices.Max(v)) }

// sameTop1 counts the rows of a and b, (N, classes), whose argmax is the
// same, as "k/N".
func sameTop1(a, b *tensor.Tensor) string {
	same := 0
	for n := range a.Shape[0] {
		if argmax(row(a, n)) == argmax(row(b, n)) {
			same++
		}
	}
	return fmt.Sprintf("%d/%d", same, a.Shape[0])
}

// ulps is the count of float32 values from a to b (both positive).
func ulps(a, b float32) int64 {
	d := int64(math.Float32bits(a)) - int64(math.Float32bits(b))
	return max(d, -d)
}

// torchWeightScales returns the per-channel weight scales PyTorch 1.13
// gives layer name of m, and whether a batch norm was folded: its weight
// with the batch norm after it (if any) folded in as fuse_conv_bn_weights
// does, w·(γ·rsqrt(var+eps)), where torch.rsqrt on the CPU is 1/sqrtf(v),
// a float32 sqrt and then a float32 division (FoldBatchNorm rounds 1/sqrt
// once).
func torchWeightScales(t *testing.T, m *model.AlexNet, name string) (scales []float32, folded bool) {
	t.Helper()
	mods := m.Modules()
	i := slices.IndexFunc(mods, func(mod model.Module) bool { return mod.Name == name })
	if i < 0 {
		t.Fatalf("no module %s", name)
	}
	var weight *tensor.Tensor
	switch l := mods[i].Layer.(type) {
	case *nn.Conv2d:
		weight = l.Weight
	case *nn.Linear:
		weight = l.Weight
	default:
		t.Fatalf("%s is a %T", name, mods[i].Layer)
	}
	w, outC := slices.Clone(weight.Data), weight.Shape[0]
	var bn *nn.BatchNorm2d
	if i+1 < len(mods) {
		bn, folded = mods[i+1].Layer.(*nn.BatchNorm2d)
	}
	if folded {
		per := len(w) / outC
		for c := range outC {
			sq := float32(math.Sqrt(float64(bn.RunningVar.Data[c] + float32(bn.Eps)))) // sqrtf: rounded once
			s := bn.Weight.Data[c] * (1 / sq)
			for j := c * per; j < (c+1)*per; j++ {
				w[j] *= s
			}
		}
	}
	_, scales, err := quant.QuantizePerChannel(w, outC)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return scales, folded
}
