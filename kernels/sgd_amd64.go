//go:build !purego

package kernels

import (
	"golang.org/x/sys/cpu"

	"github.com/alexnet-go/alexnet/internal/cpuvariant"
)

//go:generate go run -C _asm ./genupdate -pkg kernels -out ../update_amd64.s -stubs ../update_decl_amd64.go

// The AVX-512 update, where the CPU has it.
func init() {
	sgdMomentumImpl.Register(cpuvariant.AVX512, cpu.X86.HasAVX512F, avx512SGDMomentumSlices)
}

// avx512SGDMomentumSlices is SGDMomentum's loop on AVX-512.
func avx512SGDMomentumSlices(w, g, buf []float32, lr, mom, damp, wd float32) {
	if len(w) == 0 {
		return
	}
	_, _ = g[len(w)-1], buf[len(w)-1]
	avx512SGDMomentum(&w[0], &g[0], &buf[0], len(w), lr, mom, damp, wd)
}
