package quant

import (
	"math"
	"strings"
	"testing"
)

// TestQuantizeRounding: half to even on exact .5 ties, the zero point
// added after rounding, clamping, and NaN to the zero point.
func TestQuantizeRounding(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	tests := []struct {
		p    Params
		x    []float32
		want []int32
	}{
		{Params{Scale: 1, Range: Int8}, []float32{0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 127.5, -128.5}, []int32{0, 2, 2, 0, -2, -2, 127, -128}},
		{Params{Scale: 1, ZeroPoint: 3, Range: Uint8}, []float32{0.5, 1.5, -2.5, -3.5, 300}, []int32{3, 5, 1, 0, 255}},
		{Params{Scale: 0.5, ZeroPoint: 10, Range: Uint8Reduced}, []float32{0.25, 0.75, 1000, -1000}, []int32{10, 12, 127, 0}},
		{Params{Scale: 1, ZeroPoint: 7, Range: Uint8}, []float32{nan, inf, -inf}, []int32{7, 255, 0}},
	}
	for _, tt := range tests {
		for i, x := range tt.x {
			if got := tt.p.Quantize(x); got != tt.want[i] {
				t.Errorf("%+v: Quantize(%v) = %d, want %d", tt.p, x, got, tt.want[i])
			}
		}
	}
}

// TestAffineParams: the range widened to 0, the Eps floor and the clamped
// zero point.
func TestAffineParams(t *testing.T) {
	tests := []struct {
		lo, hi float32
		r      Range
		want   Params
	}{
		{0, 0, Uint8, Params{Eps, 0, Uint8}},
		{0, 255, Uint8, Params{1, 0, Uint8}},
		{-255, 0, Uint8, Params{1, 255, Uint8}},
		{1, 127, Uint8Reduced, Params{1, 0, Uint8Reduced}},
		{-1, 1, Int8, Params{2.0 / 255, -1, Int8}}, // -1/scale is -127.49999 in float32, as torch
	}
	for _, tt := range tests {
		if got := AffineParams(tt.lo, tt.hi, tt.r); got != tt.want {
			t.Errorf("AffineParams(%v, %v, %v) = %+v, want %+v", tt.lo, tt.hi, tt.r, got, tt.want)
		}
	}
	if s := SymmetricScale(-2, 1, Int8); s != 2/127.5 {
		t.Errorf("SymmetricScale(-2, 1) = %v, want 2/127.5", s)
	}
	if s := SymmetricScale(0, 0, Int8); s != Eps {
		t.Errorf("SymmetricScale(0, 0) = %v, want Eps", s)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		p    Params
		want string // "" when valid
	}{
		{Params{1, 0, Uint8}, ""},
		{Params{0.5, -128, Int8}, ""},
		{Params{0, 0, Uint8}, "scale 0"},
		{Params{-1, 0, Uint8}, "scale -1"},
		{Params{float32(math.NaN()), 0, Uint8}, "scale NaN"},
		{Params{float32(math.Inf(1)), 0, Uint8}, "scale +Inf"},
		{Params{1, 0, Range{0, 0}}, "not an 8-bit range"},
		{Params{1, 0, Range{-128, 255}}, "not an 8-bit range"},
		{Params{1, 128, Uint8Reduced}, "zero point 128 outside"},
		{Params{1, -1, Uint8}, "zero point -1 outside"},
	}
	for _, tt := range tests {
		err := tt.p.Validate()
		if (err == nil) != (tt.want == "") || err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: Validate() = %v, want %q", tt.p, err, tt.want)
		}
	}
}

// TestPerChannelRoundTrip: dequantizing gives the weight back within half
// a step per channel, and bad input is refused.
func TestPerChannelRoundTrip(t *testing.T) {
	w := []float32{0.1, -0.7, 0.35, 0, 0, 0, 100, 50, -25}
	q, scales, err := QuantizePerChannel(w, 3)
	if err != nil {
		t.Fatal(err)
	}
	if scales[1] != Eps || q[0] != 18 || q[1] != -128 || q[6] != 127 {
		t.Errorf("q %v scales %v", q, scales)
	}
	for i, v := range DequantizePerChannel(q, scales) {
		if d := math.Abs(float64(v - w[i])); d > float64(scales[i/3])/2+1e-5*math.Abs(float64(w[i])) { // half a step, plus float32 rounding
			t.Errorf("w[%d] = %v back as %v", i, w[i], v)
		}
	}
	for _, bad := range []struct {
		w    []float32
		outC int
	}{{w, 2}, {w, 0}, {nil, 1}, {[]float32{1, float32(math.NaN())}, 1}, {[]float32{1, float32(math.Inf(-1))}, 2}} {
		if _, _, err := QuantizePerChannel(bad.w, bad.outC); err == nil {
			t.Errorf("QuantizePerChannel(%v, %d) accepted", bad.w, bad.outC)
		}
	}
}
