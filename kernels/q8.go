package kernels

import (
	"fmt"
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
	// im2col is Im2colU8 for n, k, kc > 0, with the operands' bounds
	// checked.
	im2col func(dst []uint8, ldd int, src []uint8, step, row, kc, k, n int)
	// interleave3 is Interleave3U8 for len(r) == len(g) == len(b) > 0 and
	// len(dst) >= 3·len(r).
	interleave3 func(dst, r, g, b []uint8)
}

// q8Variants is the family of the uint8 activation kernels (QuantizeU8,
// MaxU8, RequantizeU8, DequantizeF32, Im2colU8, Interleave3U8), portable first; the
// assembly registers in q8_amd64.go.
var q8Variants = cpuvariant.NewFamily("q8", &q8Impl{"portable", quantizeGo, maxU8Go, requantGo, dequantGo, im2colU8Go, interleave3Go})

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

// Im2colU8 copies the k rows of kc bytes of n windows of src, step bytes
// apart, their rows row bytes apart, into the rows of dst, ldd bytes apart
// (the im2col rows of a uint8 NHWC image, one a window):
//
//	for p < n, ky < k:
//	    dst[p*ldd+ky*kc : p*ldd+(ky+1)*kc] = src[p*step+ky*row : p*step+ky*row+kc]
//
// The bytes of dst's rows past k·kc are left alone. ldd must be at least
// k·kc and step and row not negative; dst and src must not overlap. It
// panics if dst or src is too short.
func Im2colU8(dst []uint8, ldd int, src []uint8, step, row, kc, k, n int) {
	if n <= 0 || k <= 0 || kc <= 0 {
		return
	}
	width := span(k, kc, kc)
	if ldd < width || step < 0 || row < 0 {
		panic(fmt.Sprintf("kernels.Im2colU8: ldd %d, step %d, row %d for rows of %d×%d bytes", ldd, step, row, k, kc))
	}
	_, _ = dst[span(n, ldd, width)-1], src[span(n, step, span(k, row, kc))-1]
	q8Variants.Get().im2col(dst, ldd, src, step, row, kc, k, n)
}

// span is (n-1)·stride + last, the bytes from the first of n runs of
// last bytes, stride apart, to the end of the last (n ≥ 1; stride, last
// ≥ 0), or math.MaxInt where that overflows.
func span(n, stride, last int) int {
	if n > 1 && stride > (math.MaxInt-last)/(n-1) {
		return math.MaxInt
	}
	return (n-1)*stride + last
}

// im2colU8Go is Im2colU8's loop.
func im2colU8Go(dst []uint8, ldd int, src []uint8, step, row, kc, k, n int) {
	for p := range n {
		for ky := range k {
			copy(dst[p*ldd+ky*kc:p*ldd+(ky+1)*kc], src[p*step+ky*row:p*step+ky*row+kc])
		}
	}
}

// Interleave3U8 writes three planes of n = len(r) bytes as n pixels of
// three channels: dst[3i], dst[3i+1], dst[3i+2] = r[i], g[i], b[i] (the
// quantized RGB planes of an image as the NHWC rows of the first
// convolution's input). It panics if g or b is shorter than r or dst
// shorter than 3n.
func Interleave3U8(dst, r, g, b []uint8) {
	n := len(r)
	if n == 0 {
		return
	}
	q8Variants.Get().interleave3(dst[:3*n], r, g[:n], b[:n])
}

// interleave3Go is Interleave3U8's loop.
func interleave3Go(dst, r, g, b []uint8) {
	for i := range r {
		d := dst[3*i : 3*i+3]
		d[0], d[1], d[2] = r[i], g[i], b[i]
	}
}
