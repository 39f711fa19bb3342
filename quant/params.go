package quant

import (
	"fmt"
	"math"
)

// Eps is torch.finfo(torch.float32).eps (2^-23), the smallest scale an
// observer returns.
const Eps float32 = 1.0 / (1 << 23)

// Range is the integer range [QMin, QMax] of a quantized type.
type Range struct {
	QMin, QMax int32
}

// The ranges of PyTorch 1.13's calculate_qmin_qmax
// (torch/ao/quantization/utils.py) that this package uses.
var (
	Uint8        = Range{0, 255}    // quint8
	Uint8Reduced = Range{0, 127}    // quint8 with reduce_range (fbgemm's activations)
	Int8         = Range{-128, 127} // qint8 (weights)
)

// Params is an affine quantizer: q = clamp(ZeroPoint + nearbyint(x *
// (1/Scale)), QMin, QMax) and x ≈ (q - ZeroPoint) * Scale.
type Params struct {
	Scale     float32
	ZeroPoint int32
	Range
}

// AffineParams is the per-tensor affine quantizer PyTorch 1.13 picks for
// the observed range [lo, hi] (_ObserverBase._calculate_qparams with
// per_tensor_affine): the range is widened to hold 0, then
// scale = max((hi - lo) / (QMax - QMin), Eps) and
// zero_point = clamp(QMin - nearbyint(lo / scale), QMin, QMax), in
// float32.
func AffineParams(lo, hi float32, r Range) Params {
	lo, hi = min(lo, 0), max(hi, 0)
	scale := max((hi-lo)/float32(r.QMax-r.QMin), Eps)
	zp := int64(r.QMin) - int64(math.RoundToEven(float64(lo/scale)))
	zp = min(max(zp, int64(r.QMin)), int64(r.QMax))
	return Params{Scale: scale, ZeroPoint: int32(zp), Range: r}
}

// SymmetricScale is the scale of PyTorch 1.13's symmetric quantizers
// (per_tensor_symmetric, per_channel_symmetric) for the observed range
// [lo, hi] and a signed range r, whose zero point is 0:
// max(max(-min(lo, 0), max(hi, 0)) / ((QMax - QMin) / 2), Eps).
func SymmetricScale(lo, hi float32, r Range) float32 {
	amax := max(-min(lo, 0), hi, 0)
	return max(amax/(float32(r.QMax-r.QMin)/2), Eps)
}

// Validate reports a scale that is not a positive finite number, an
// empty or wider than 8-bit range, or a zero point outside the range.
func (p Params) Validate() error {
	_, err := p.check()
	return err
}

// The parts of Params that check blames.
const (
	badScale = iota
	badRange
	badZeroPoint
)

// check is Validate's error and the part it blames.
func (p Params) check() (int, error) {
	s := float64(p.Scale)
	switch {
	case math.IsNaN(s) || math.IsInf(s, 0) || s <= 0:
		return badScale, fmt.Errorf("scale %v is not a positive finite number", p.Scale)
	case p.QMin >= p.QMax || p.QMin < -128 || p.QMax > 255 || p.QMax-p.QMin > 255:
		return badRange, fmt.Errorf("range [%d, %d] is not an 8-bit range", p.QMin, p.QMax)
	case p.ZeroPoint < p.QMin || p.ZeroPoint > p.QMax:
		return badZeroPoint, fmt.Errorf("zero point %d outside the range [%d, %d]", p.ZeroPoint, p.QMin, p.QMax)
	}
	return 0, nil
}

// Quantize returns clamp(ZeroPoint + nearbyint(x * (1/Scale)), QMin,
// QMax), computed as ATen's quantize_val does: x * (1/Scale) in float32,
// rounded half to even (so with Scale 1, 0.5 → 0, 1.5 → 2, 2.5 → 2). A
// NaN x gives ZeroPoint.
func (p Params) Quantize(x float32) int32 {
	v := float64(x * (1 / p.Scale))
	if math.IsNaN(v) {
		return p.ZeroPoint
	}
	q := int64(p.ZeroPoint) + int64(math.RoundToEven(min(max(v, math.MinInt32), math.MaxInt32)))
	return int32(min(max(q, int64(p.QMin)), int64(p.QMax)))
}

// Dequantize returns (q - ZeroPoint) * Scale in float32, as
// Tensor.dequantize does.
func (p Params) Dequantize(q int32) float32 {
	return float32(q-p.ZeroPoint) * p.Scale
}

// Integer is the element type of a quantized slice.
type Integer interface{ ~int8 | ~uint8 | ~int32 }

// QuantizeSlice sets dst[i] = p.Quantize(x[i]); the range of p must fit
// T. It panics if the lengths differ.
func QuantizeSlice[T Integer](dst []T, x []float32, p Params) {
	if len(dst) != len(x) {
		panic(fmt.Sprintf("quant: QuantizeSlice of %d values into %d", len(x), len(dst)))
	}
	for i, v := range x {
		dst[i] = T(p.Quantize(v))
	}
}

// DequantizeSlice sets dst[i] = p.Dequantize(q[i]). It panics if the
// lengths differ.
func DequantizeSlice[T Integer](dst []float32, q []T, p Params) {
	if len(dst) != len(q) {
		panic(fmt.Sprintf("quant: DequantizeSlice of %d values into %d", len(q), len(dst)))
	}
	for i, v := range q {
		dst[i] = p.Dequantize(int32(v))
	}
}
