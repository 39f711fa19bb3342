//go:build !purego

package kernels

import (
	"golang.org/x/sys/cpu"

	"github.com/alexnet-go/alexnet/internal/cpuvariant"
)

//go:generate go run -C _asm ./genbn -pkg kernels -out ../bn_amd64.s -stubs ../bn_decl_amd64.go

// The assembly batch-norm plane kernels, where the CPU has them.
func init() {
	bnVariants.Register(cpuvariant.AVX512, cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ, // DQ: VEXTRACTF32X8
		&bnImpl{"avx512", avx512BNApplyPlane, avx512BNSumsPlane, avx512BNDxPlane})
}

// avx512BNApplyPlane is bnImpl.apply for AVX-512.
func avx512BNApplyPlane(x, y []float32, a, b float32, relu bool) {
	if len(x) == 0 {
		return
	}
	_ = y[len(x)-1]
	if relu {
		avx512BNApplyReLU(&x[0], &y[0], len(x), a, b)
	} else {
		avx512BNApply(&x[0], &y[0], len(x), a, b)
	}
}

// avx512BNSumsPlane is bnImpl.sums for AVX-512.
func avx512BNSumsPlane(x, dy, y []float32, mu float32, acc *[32]float64) {
	n := len(dy)
	if n == 0 {
		return
	}
	_ = x[n-1]
	if y != nil {
		_ = y[n-1]
		avx512BNSumsReLU(&x[0], &dy[0], &y[0], n, mu, acc)
	} else {
		avx512BNSums(&x[0], &dy[0], n, mu, acc)
	}
}

// avx512BNDxPlane is bnImpl.dx for AVX-512.
func avx512BNDxPlane(x, dy, y, dx []float32, mu, k, gm, is, w float32) {
	n := len(dy)
	if n == 0 {
		return
	}
	_, _ = x[n-1], dx[n-1]
	if y != nil {
		_ = y[n-1]
		avx512BNDxReLU(&x[0], &dy[0], &y[0], &dx[0], n, mu, k, gm, is, w)
	} else {
		avx512BNDx(&x[0], &dy[0], &dx[0], n, mu, k, gm, is, w)
	}
}
