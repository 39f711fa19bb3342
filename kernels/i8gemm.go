package kernels

import (
	"fmt"

	"github.com/alexnet-go/alexnet/internal/cpuvariant"
)

// GemmI8 holds the operands of one int8 matrix product, u8×s8→s32: the
// GEMM of the quantized convolutions and linear layers. It computes
//
//	C[i*LDC+j] = Σ_{p<K} int32(A[i*LDA+p]) * int32(B[p,j])   (i < M, j < N)
//
// where A is M×K uint8 (the activations), row-major with row stride LDA;
// B is K×N int8 (the weights), packed once by PackI8; and C is M×N int32,
// row-major with row stride LDC. The arithmetic is on int32 and exact: a
// sum cannot leave int32 for K ≤ 65793 (255·128·K < 2³¹), and beyond that
// every implementation wraps the same way, so all give the same bits.
type GemmI8 struct {
	M, N, K int

	A   []uint8
	LDA int

	B *PackedI8 // B.K == K, B.N == N

	C   []int32
	LDC int

	// Accumulate adds the product to C's prior content; otherwise C's
	// prior content is ignored.
	Accumulate bool

	// Threads is the number of goroutines an implementation may use;
	// values below 1 mean 1.
	Threads int
}

// check validates g's dimensions, strides and buffer lengths.
func (g *GemmI8) check() error {
	if g.M < 0 || g.N < 0 || g.K < 0 {
		return &ArgError{Func: "I8Gemm", Msg: fmt.Sprintf("negative dimension M=%d N=%d K=%d", g.M, g.N, g.K)}
	}
	if g.B == nil || g.B.K != g.K || g.B.N != g.N {
		return &ArgError{Func: "I8Gemm", Msg: fmt.Sprintf("B is not a packed %d×%d matrix", g.K, g.N)}
	}
	if err := checkMatOf("I8Gemm", "A", g.A, g.M, g.K, g.LDA); err != nil {
		return err
	}
	return checkMatOf("I8Gemm", "C", g.C, g.M, g.N, g.LDC)
}

// I8GemmNaive is the reference loop every I8Gemm implementation computes:
//
//	for i < M, j < N:
//	    s := 0 (or C[i*LDC+j] when Accumulate)
//	    for p < K: s += int32(A[i*LDA+p]) * int32(B.At(p, j))
//	    C[i*LDC+j] = s
//
// It ignores Threads and assumes g is valid.
func I8GemmNaive(g *GemmI8) {
	for i := range g.M {
		a, c := g.A[i*g.LDA:i*g.LDA+g.K], g.C[i*g.LDC:i*g.LDC+g.N]
		for j := range c {
			if !g.Accumulate {
				c[j] = 0
			}
			for p, v := range a {
				c[j] += int32(v) * int32(g.B.At(p, j))
			}
		}
	}
}

// i8Impl is one implementation of the int8 GEMM family: the blocked
// driver over arch, or fn alone (the naive loop).
type i8Impl struct {
	fn   func(g *GemmI8)
	arch *i8Arch // nil for the naive loop
}

// i8Variants is the int8 GEMM family: blocked (portable Go), naive, and
// the SIMD kernels where the CPU has them (i8_amd64.go).
var i8Variants = func() *cpuvariant.Family[*i8Impl] {
	f := cpuvariant.NewFamily("i8gemm", i8ArchImpl(portableI8Arch))
	f.Register(cpuvariant.Naive, true, &i8Impl{fn: I8GemmNaive})
	return f
}()

// i8ArchImpl is the implementation running the blocked driver over arch.
func i8ArchImpl(arch *i8Arch) *i8Impl {
	return &i8Impl{fn: func(g *GemmI8) { i8Blocked(arch, g) }, arch: arch}
}

// ActiveI8Gemm names the variant I8Gemm calls (see UseSgemm, which
// selects it with every other kernel family).
func ActiveI8Gemm() string { return i8Variants.Active() }

// I8Gemm validates g and computes the loop documented at GemmI8 and
// I8GemmNaive with the selected variant: "avx512" (VPDPBUSD, where the
// CPU has AVX-512 VNNI), "avx2", "blocked" (portable Go) or "naive". All
// give bit-identical results. It returns an *ArgError for inconsistent
// dimensions, strides or buffer lengths. Concurrent calls are safe when
// their C regions do not overlap.
func I8Gemm(g *GemmI8) error {
	if err := g.check(); err != nil {
		return err
	}
	i8Variants.Get().fn(g)
	return nil
}
