// Package kernels holds the numeric loops the layers run: SGEMM and the
// convolutions built on it (im2col packed into GEMM panels, Winograd
// F(2×2, 3×3)), pooling, local response normalisation, ReLU and softmax.
//
// Kernels work on []float32 plus dimensions and import nothing from this
// module. Each doc comment states the loop the kernel computes; the portable
// code runs exactly that loop, blocked or reordered only where the result is
// the same up to float32 rounding. Every fast kernel has a Naive twin that
// runs the stated loop literally; tests compare the two and benchmarks run
// them side by side.
//
// The SIMD kernels are x86-64 assembly generated with avo by the programs
// in _asm (their own module; `go generate` reruns them and CI fails on a
// diff): register-blocked SGEMM micro-kernels (AVX-512 14×32, AVX2 6×16)
// with the bias and ReLU in their epilogue, dot-product kernels for the
// fully connected layers at small batch, the im2col row copier, the
// Winograd transforms, and max-pooling rows. A portable Go twin of each
// runs with -tags purego and on other architectures.
//
// Kernels other than Sgemm trust their callers (the nn layers) to pass
// consistent dimensions and buffers of sufficient length and panic with an
// index error otherwise; Sgemm, the one entry point meant to be shared and
// swapped, validates its operands and returns an *ArgError.
//
// Implementations are chosen at run time from the CPU's features
// (golang.org/x/sys/cpu) through one registry, internal/cpuvariant, where
// every kernel family registers its variants: "avx512" and "avx2" where
// the CPU has them (the widest is the default), "blocked" (the portable Go
// kernels) and "naive" (SGEMM's literal loop). UseSgemm (cpuvariant.Select)
// switches every family at once (the convolutions follow the SGEMM
// micro-kernel), so tests and benchmarks exercise each variant on one
// machine.
//
// Whether a convolution runs direct or as Winograd is a ConvAlgorithm the
// caller passes (nn.Conv2d.Algorithm, model.Config.Conv), not a global;
// only AutoConv defers to the process default, SetDefaultConv.
package kernels

// ArgError reports operands a kernel cannot take.
type ArgError struct {
	Func string // kernel name, e.g. "Sgemm"
	Msg  string
}

// Error implements error.
func (e *ArgError) Error() string { return "kernels." + e.Func + ": " + e.Msg }
