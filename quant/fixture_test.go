package quant

import (
	"encoding/json"
	"math"
	"os"
	"slices"
	"testing"
)

// fixture is testdata/quant/quant.json, written by testdata/gen/quant.py
// from PyTorch 1.13.
type fixture struct {
	PerChannel []struct {
		Shape     []int
		W, Scales []float32
		Q         []int8
		QMin      int32 `json:"qmin"`
		QMax      int32 `json:"qmax"`
	} `json:"per_channel"`
	MinMax    []observedCase `json:"minmax"`
	Histogram []struct {
		observedCase
		Min, Max float32
		Hist     []float32
	} `json:"histogram"`
	PerTensor []struct {
		Scale     float32
		ZeroPoint int32 `json:"zero_point"`
		QMin      int32 `json:"qmin"`
		QMax      int32 `json:"qmax"`
		X         []float32
		Q         []int32
		Dequant   []float32
	} `json:"per_tensor"`
}

// observedCase is a run of an activation observer in the fixture: the
// batches it saw and torch's quantizer.
type observedCase struct {
	ReduceRange bool `json:"reduce_range"`
	Batches     [][]float32
	Scale       float32
	ZeroPoint   int32 `json:"zero_point"`
	QMin        int32 `json:"qmin"`
	QMax        int32 `json:"qmax"`
}

// rangeOf is the range of the case: Uint8, or Uint8Reduced with
// reduce_range; torch's own quant_min and quant_max must agree.
func (c *observedCase) rangeOf(t *testing.T) Range {
	t.Helper()
	r := Uint8
	if c.ReduceRange {
		r = Uint8Reduced
	}
	if (Range{c.QMin, c.QMax}) != r {
		t.Errorf("torch's range [%d, %d], want %v", c.QMin, c.QMax, r)
	}
	return r
}

// check feeds the case's batches to o and compares its quantizer with
// torch's.
func (c *observedCase) check(t *testing.T, i int, o Observer, r Range) {
	t.Helper()
	for _, b := range c.Batches {
		o.Observe(b)
	}
	p, err := o.Params()
	if want := (Params{Scale: c.Scale, ZeroPoint: c.ZeroPoint, Range: r}); err != nil || p != want {
		t.Errorf("case %d: %+v, %v; torch %+v", i, p, err, want)
	}
}

func loadFixture(t *testing.T) *fixture {
	t.Helper()
	b, err := os.ReadFile("../testdata/quant/quant.json")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{}
	if err := json.Unmarshal(b, f); err != nil {
		t.Fatal(err)
	}
	if len(f.PerChannel) == 0 || len(f.MinMax) == 0 || len(f.Histogram) == 0 || len(f.PerTensor) == 0 {
		t.Fatal("fixture has an empty section")
	}
	return f
}

// sameBits reports whether a and b hold the same float32 bit patterns.
func sameBits(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) })
}

// TestQuantizePerChannelTorch: scales and int8 values bit for bit as
// PerChannelMinMaxObserver + torch.quantize_per_channel.
func TestQuantizePerChannelTorch(t *testing.T) {
	for i, c := range loadFixture(t).PerChannel {
		if (Range{c.QMin, c.QMax}) != Int8 {
			t.Errorf("case %d: torch's range [%d, %d], want Int8", i, c.QMin, c.QMax)
		}
		q, scales, err := QuantizePerChannel(c.W, c.Shape[0])
		if err != nil {
			t.Fatal(err)
		}
		if !sameBits(scales, c.Scales) {
			t.Errorf("case %d: scales %v, torch %v", i, scales, c.Scales)
		}
		if !slices.Equal(q, c.Q) {
			t.Errorf("case %d: q %v, torch %v", i, q, c.Q)
		}
	}
}

// TestMinMaxTorch: MinMaxObserver's scale and zero point over several
// batches, with and without reduce_range.
func TestMinMaxTorch(t *testing.T) {
	for i, c := range loadFixture(t).MinMax {
		r := c.rangeOf(t)
		c.check(t, i, NewMinMax(r), r)
	}
}

// TestHistogramTorch: HistogramObserver's scale and zero point, running
// range and histogram (where the fixture keeps it).
func TestHistogramTorch(t *testing.T) {
	for i, c := range loadFixture(t).Histogram {
		r := c.rangeOf(t)
		h := NewHistogram(r)
		c.check(t, i, h, r)
		if h.lo != c.Min || h.hi != c.Max {
			t.Errorf("case %d: range [%v, %v], torch [%v, %v]", i, h.lo, h.hi, c.Min, c.Max)
		}
		if c.Hist != nil && !sameBits(h.hist, c.Hist) {
			t.Errorf("case %d: histogram differs from torch's", i)
		}
	}
}

// TestQuantizeTorch: torch.quantize_per_tensor and dequantize, ties
// included.
func TestQuantizeTorch(t *testing.T) {
	for i, c := range loadFixture(t).PerTensor {
		p := Params{Scale: c.Scale, ZeroPoint: c.ZeroPoint, Range: Range{c.QMin, c.QMax}}
		q := make([]int32, len(c.X))
		QuantizeSlice(q, c.X, p)
		if !slices.Equal(q, c.Q) {
			t.Errorf("case %d (%+v): q %v, torch %v", i, p, q, c.Q)
		}
		d := make([]float32, len(q))
		DequantizeSlice(d, q, p)
		if !sameBits(d, c.Dequant) {
			t.Errorf("case %d (%+v): dequantized %v, torch %v", i, p, d, c.Dequant)
		}
	}
}
