//go:build !purego

package kernels

import (
	"math"

	"golang.org/x/sys/cpu"

	"github.com/alexnet-go/alexnet/internal/cpuvariant"
)

//go:generate go run -C _asm ./genq8 -pkg kernels -out ../q8_amd64.s -stubs ../q8_decl_amd64.go

// The assembly kernels of the uint8 activation path, where the CPU has
// them. The AVX-512 kernels take any length (opmasks); the AVX2 ones a
// multiple of their vector, the rest of a row running the portable loop,
// but for Im2colU8's, which take any row.
func init() {
	q8Variants.Register(cpuvariant.AVX2, cpu.X86.HasAVX2,
		&q8Impl{"avx2", avx2Q8Quantize, avx2Q8Max, avx2Q8Requant, avx2Q8Dequant, avx2Q8Im2col, q8Interleave3})
	q8Variants.Register(cpuvariant.AVX512, cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW, // BW: VPMAXUB, VMOVDQU8 on ZMM
		&q8Impl{"avx512", avx512Q8Quantize, avx512Q8Max, avx512Q8Requant, avx512Q8Dequant, avx512Q8Im2col, q8Interleave3})
}

// quantBounds are QuantizeU8's clamp bounds shifted by the zero point.
func quantBounds(zp, qmin, qmax int32) (lo, hi float32) {
	return float32(qmin - zp), float32(qmax - zp)
}

// requantBounds are RequantizeU8's clamp bounds [lo, hi] shifted by the zero point.
func requantBounds(zout, lo, hi int32) (float32, float32) {
	return float32(lo - zout), float32(hi - zout)
}

// reluBound is DequantizeF32's lower bound: 0 with the ReLU, -Inf (no
// bound) without.
func reluBound(relu bool) float32 {
	if relu {
		return 0
	}
	return float32(math.Inf(-1))
}

// avx512Q8Quantize is q8Impl.quantize for AVX-512.
func avx512Q8Quantize(dst []uint8, x []float32, inv float32, zp, qmin, qmax int32) {
	if len(x) == 0 {
		return
	}
	_ = dst[len(x)-1]
	lo, hi := quantBounds(zp, qmin, qmax)
	avx512QuantizeU8(&dst[0], &x[0], len(x), inv, zp, lo, hi)
}

// avx2Q8Quantize is q8Impl.quantize for AVX2: multiples of 8 floats, the
// rest through the portable loop.
func avx2Q8Quantize(dst []uint8, x []float32, inv float32, zp, qmin, qmax int32) {
	n := len(x) &^ 7
	if n > 0 {
		_ = dst[n-1]
		lo, hi := quantBounds(zp, qmin, qmax)
		avx2QuantizeU8(&dst[0], &x[0], n, inv, zp, lo, hi)
	}
	quantizeGo(dst[n:], x[n:], inv, zp, qmin, qmax)
}

// avx512Q8Max is q8Impl.max for AVX-512.
func avx512Q8Max(dst, a, b []uint8) {
	if len(dst) == 0 {
		return
	}
	_, _ = a[len(dst)-1], b[len(dst)-1]
	avx512MaxU8(&dst[0], &a[0], &b[0], len(dst))
}

// avx2Q8Max is q8Impl.max for AVX2: multiples of 32 bytes, the rest
// through the portable loop.
func avx2Q8Max(dst, a, b []uint8) {
	n := len(dst) &^ 31
	if n > 0 {
		_, _ = a[n-1], b[n-1]
		avx2MaxU8(&dst[0], &a[0], &b[0], n)
	}
	maxU8Go(dst[n:], a[n:], b[n:])
}

// avx512Q8Requant is q8Impl.requant for AVX-512.
func avx512Q8Requant(dst []uint8, ldd int, c []int32, ldc, m, n int, t *requantTerms, zout, lo, hi int32) {
	flo, fhi := requantBounds(zout, lo, hi)
	avx512RequantU8(&dst[0], ldd, &c[0], ldc, m, n, &t.off[0], &t.bq[0], &t.mult[0], flo, fhi, zout)
}

// avx2Q8Requant is q8Impl.requant for AVX2: columns in multiples of 8,
// the rest through the portable loop.
func avx2Q8Requant(dst []uint8, ldd int, c []int32, ldc, m, n int, t *requantTerms, zout, lo, hi int32) {
	n8 := n &^ 7
	if n8 > 0 {
		flo, fhi := requantBounds(zout, lo, hi)
		avx2RequantU8(&dst[0], ldd, &c[0], ldc, m, n8, &t.off[0], &t.bq[0], &t.mult[0], flo, fhi, zout)
	}
	if n8 < n {
		rest := t.from(n8)
		requantGo(dst[n8:], ldd, c[n8:], ldc, m, n-n8, &rest, zout, lo, hi)
	}
}

// avx512Q8Dequant is q8Impl.dequant for AVX-512.
func avx512Q8Dequant(dst []float32, ldd int, c []int32, ldc, m, n int, t *requantTerms, relu bool) {
	avx512DequantF32(&dst[0], ldd, &c[0], ldc, m, n, &t.off[0], &t.scale[0], &t.bias[0], reluBound(relu))
}

// avx2Q8Dequant is q8Impl.dequant for AVX2: columns in multiples of 8,
// the rest through the portable loop.
func avx2Q8Dequant(dst []float32, ldd int, c []int32, ldc, m, n int, t *requantTerms, relu bool) {
	n8 := n &^ 7
	if n8 > 0 {
		avx2DequantF32(&dst[0], ldd, &c[0], ldc, m, n8, &t.off[0], &t.scale[0], &t.bias[0], reluBound(relu))
	}
	if n8 < n {
		rest := t.from(n8)
		dequantGo(dst[n8:], ldd, c[n8:], ldc, m, n-n8, &rest, relu)
	}
}

// avx512Q8Im2col is q8Impl.im2col for AVX-512.
func avx512Q8Im2col(dst []uint8, ldd int, src []uint8, step, row, kc, k, n int) {
	avx512Im2colU8(&dst[0], ldd, &src[0], step, row, kc, k, n)
}

// avx2Q8Im2col is q8Impl.im2col for AVX2.
func avx2Q8Im2col(dst []uint8, ldd int, src []uint8, step, row, kc, k, n int) {
	avx2Im2colU8(&dst[0], ldd, &src[0], step, row, kc, k, n)
}

// q8Interleave3 is q8Impl.interleave3 for both ISAs: whole steps of 16
// pixels in assembly, the rest in Go.
func q8Interleave3(dst, r, g, b []uint8) {
	n := len(r) &^ 15
	if n > 0 {
		q8Interleave3U8(&dst[0], &r[0], &g[0], &b[0], n)
	}
	interleave3Go(dst[3*n:], r[n:], g[n:], b[n:])
}
