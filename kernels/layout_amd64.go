//go:build !purego

package kernels

import (
	"golang.org/x/sys/cpu"

	"github.com/alexnet-go/alexnet/internal/cpuvariant"
)

//go:generate go run -C _asm ./genlayout -pkg kernels -out ../layout_amd64.s -stubs ../layout_decl_amd64.go

// The AVX-512 transpose and im2col row kernels, where the CPU has them.
func init() {
	transpose16.Register(cpuvariant.AVX512, cpu.X86.HasAVX512F, avx512Transpose16Slices)
	im2colRows.Register(cpuvariant.AVX512, cpu.X86.HasAVX512F, avx512Im2colRowsSlices)
}

// avx512Im2colRowsSlices is im2colRows on AVX-512 for rows of up to 128
// floats (the portable loop for longer ones).
func avx512Im2colRowsSlices(dst, src []float32, lds, rows, ow, lo, hi int) {
	if ow > 128 || rows <= 0 {
		im2colRowsGo(dst, src, lds, rows, ow, lo, hi)
		return
	}
	_, _ = dst[rows*ow-1], src[(rows-1)*lds+hi-lo-1]
	masks, chunks := im2colMasks(ow, lo, hi)
	avx512Im2colRows(&dst[0], &src[0], lds, rows, ow, lo, chunks, &masks)
}

// avx512Transpose16Slices is transpose16 on AVX-512.
func avx512Transpose16Slices(dst []float32, ldd int, src []float32, lds int) {
	_, _ = dst[15*ldd+15], src[15*lds+15]
	avx512Transpose16(&dst[0], ldd, &src[0], lds)
}
