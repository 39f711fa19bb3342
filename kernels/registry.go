package kernels

import (
	"fmt"

	"github.com/alexnet-go/alexnet/internal/cpuvariant"
)

// SgemmFunc is one implementation of the loop documented at SgemmNaive.
// It may assume its *Gemm has been validated and must not retain it.
type SgemmFunc func(g *Gemm)

// sgemmImpl is the SGEMM family's implementation: the packed driver over
// arch (its micro-kernels are also the convolutions'), or fn alone.
type sgemmImpl struct {
	fn   SgemmFunc
	arch *microArch // the packed-driver architecture, nil for the others
}

// sgemmVariants is the SGEMM family: blocked (portable), naive, and the
// SIMD architectures where the CPU has them (simd_amd64.go).
var sgemmVariants = func() *cpuvariant.Family[*sgemmImpl] {
	f := cpuvariant.NewFamily("sgemm", &sgemmImpl{fn: SgemmBlocked})
	f.Register(cpuvariant.Naive, true, &sgemmImpl{fn: SgemmNaive})
	return f
}()

// registerArch registers the packed driver over arch as variant arch.name
// where available.
func registerArch(arch *microArch, available bool) {
	sgemmVariants.Register(arch.name, available, &sgemmImpl{func(g *Gemm) { sgemmPacked(arch, g) }, arch})
}

// activeArch is the micro-kernel architecture of the active
// implementation, the portable one when it has none.
func activeArch() *microArch {
	if a := sgemmVariants.Get().arch; a != nil {
		return a
	}
	return portableArch
}

// SgemmImpls lists the variants this CPU runs (cpuvariant.Variants),
// "blocked" (the portable one) first.
func SgemmImpls() []string { return cpuvariant.Variants() }

// SgemmImpl returns the SGEMM implementation of the named variant, or nil
// if there is none.
func SgemmImpl(name string) SgemmFunc {
	if im, ok := sgemmVariants.Lookup(name); ok {
		return im.fn
	}
	return nil
}

// UseSgemm selects the named variant for every kernel family
// (cpuvariant.Select): "avx512", "avx2", "blocked" (the portable Go
// kernels) or "naive" (SGEMM's literal loop, the other families
// portable). It is safe to call concurrently with the kernels.
func UseSgemm(name string) error {
	if err := cpuvariant.Select(name); err != nil {
		return &ArgError{Func: "UseSgemm", Msg: fmt.Sprintf("no implementation %q (have %v)", name, cpuvariant.Variants())}
	}
	return nil
}

// ActiveSgemm names the SGEMM variant Sgemm calls.
func ActiveSgemm() string { return sgemmVariants.Active() }

// Sgemm validates g and computes the loop documented at SgemmNaive with
// the selected variant (by default the widest the CPU has). It returns an
// *ArgError for inconsistent dimensions, strides or buffer lengths.
// Concurrent calls are safe when their C regions do not overlap.
func Sgemm(g *Gemm) error {
	if err := g.check(); err != nil {
		return err
	}
	sgemmVariants.Get().fn(g)
	return nil
}
