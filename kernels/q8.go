package kernels

import (
	"math"

	"github.com/alexnet-go/alexnet/internal/cpuvariant"
)

// q8Impl is one implementation of the kernels of the uint8 activation
// path. The exported functions check the arguments and call a field only
// under the conditions its comment states; elsewhere they run the
// portable loop.
type q8Impl struct {
	name string
	// quantize is QuantizeU8 for len(dst) == len(x) and
	// 0 <= qmin <= zp <= qmax <= 255.
	quantize func(dst []uint8, x []float32, inv float32, zp, qmin, qmax int32)
	// max is MaxU8 for len(a) == len(b) == len(dst).
	max func(dst, a, b []uint8)
	// requant is RequantizeU8's loop over the terms t, m, n > 0, with the
	// operands' bounds checked, t finite and 0 <= zout <= 255; lo is the
	// lower clamp (ReLU ? zout : 0).
	requant func(dst []uint8, ldd int, c []int32, ldc, m, n int, t *requantTerms, zout, lo, hi int32)
	// dequant is DequantizeF32's loop over the terms t, m, n > 0, with the
	// operands' bounds checked.
	dequant func(dst []float32, ldd int, c []int32, ldc, m, n int, t *requantTerms, relu bool)
}

// q8Variants is the family of the uint8 activation kernels (QuantizeU8,
// MaxU8, RequantizeU8, DequantizeF32), portable first; the assembly
// registers in q8_amd64.go.
var q8Variants = cpuvariant.NewFamily("q8", &q8Impl{"portable", quantizeGo, maxU8Go, requantGo, dequantGo})

// QuantizeU8 sets dst[i] = clamp(zp + nearbyint(x[i]·inv), qmin, qmax) for
// i < len(x), as quant.Params.Quantize does with inv = 1/Scale: the
// product in float32, rounded half to even; a NaN x gives zp. The range
// [qmin, qmax] must lie in [0, 255] and hold zp. It panics if dst is
// shorter than x.
func QuantizeU8(dst []uint8, x []float32, inv float32, zp, qmin, qmax int32) {
	dst = dst[:len(x)]
	if 0 <= qmin && qmin <= zp && zp <= qmax && qmax <= 255 {
		q8Variants.Get().quantize(dst, x, inv, zp, qmin, qmax)
		return
	}
	quantizeGo(dst, x, inv, zp, qmin, qmax)
}

// quantizeGo is QuantizeU8's loop, for any range.
func quantizeGo(dst []uint8, x []float32, inv float32, zp, qmin, qmax int32) {
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
	q8Variants.Get().max(dst, a[:len(dst)], b[:len(dst)])
}

// maxU8Go is MaxU8's loop.
func maxU8Go(dst, a, b []uint8) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = max(a[i], b[i])
	}
}
