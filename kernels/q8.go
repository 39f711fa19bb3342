package kernels

import "math"

// QuantizeU8 sets dst[i] = clamp(zp + nearbyint(x[i]·inv), qmin, qmax) for
// i < len(x), as quant.Params.Quantize does with inv = 1/Scale: the
// product in float32, rounded half to even; a NaN x gives zp. The range
// [qmin, qmax] must lie in [0, 255] and hold zp. It panics if dst is
// shorter than x.
func QuantizeU8(dst []uint8, x []float32, inv float32, zp, qmin, qmax int32) {
	dst = dst[:len(x)]
	lo, hi := float64(qmin-zp), float64(qmax-zp)
	for i, v := range x {
		y := float64(v * inv)
		if math.IsNaN(y) {
			y = 0
		}
		dst[i] = uint8(int32(math.RoundToEven(min(max(y, lo), hi))) + zp)
	}
}

// MaxU8 sets dst[i] = max(a[i], b[i]) for i < len(dst); a and b must be
// at least as long as dst. dst may be a or b.
func MaxU8(dst, a, b []uint8) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = max(a[i], b[i])
	}
}
