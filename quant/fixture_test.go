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
	MinMax []struct {
		ReduceRange bool `json:"reduce_range"`
		Batches     [][]float32
		Scale       float32
		ZeroPoint   int32 `json:"zero_point"`
		QMin        int32 `json:"qmin"`
		QMax        int32 `json:"qmax"`
	} `json:"minmax"`
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
	if len(f.PerChannel) == 0 || len(f.MinMax) == 0 || len(f.PerTensor) == 0 {
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
		r := Uint8
		if c.ReduceRange {
			r = Uint8Reduced
		}
		if (Range{c.QMin, c.QMax}) != r {
			t.Errorf("case %d: torch's range [%d, %d], want %v", i, c.QMin, c.QMax, r)
		}
		m := NewMinMax(r)
		for _, b := range c.Batches {
			m.Observe(b)
		}
		p, err := m.Params()
		want := Params{Scale: c.Scale, ZeroPoint: c.ZeroPoint, Range: r}
		if err != nil || p != want {
			t.Errorf("case %d: %+v, %v; torch %+v", i, p, err, want)
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
