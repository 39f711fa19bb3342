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
// The int8 GEMM (I8Gemm, u8×s8→s32, for quantized layers) multiplies
// uint8 activations by int8 weights packed once (PackI8: groups of 4 k
// per 32-bit lane, panels of 16 columns) into exact int32 sums, with the
// same "avx512" (VPDPBUSD, AVX-512 VNNI, 6×64 tiles), "avx2" (VPMADDWD on
// bytes widened to int16: exact, where VPMADDUBSW would saturate),
// "blocked" and "naive" variants, all bit-identical; RequantizeU8 and
// DequantizeF32 map the sums back. BenchmarkI8Gemm measures it on
// AlexNet's shapes (README, Speed). The uint8 activation kernels
// (QuantizeU8, MaxU8, RequantizeU8, DequantizeF32, Im2colU8) have
// "avx512" and "avx2" variants too, bit-identical to their portable loops
// (BenchmarkRequantizeU8 and the like).
//
// Kernels other than Sgemm and I8Gemm trust their callers (the nn layers) to pass
// consistent dimensions and buffers of sufficient length and panic with an
// index error otherwise; Sgemm and I8Gemm, the entry points meant to be
// shared and swapped, validate their operands and return an *ArgError.
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
