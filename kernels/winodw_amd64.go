//go:build !purego

package kernels

import (
	"golang.org/x/sys/cpu"

	"github.com/alexnet-go/alexnet/internal/cpuvariant"
)

//go:generate go run -C _asm ./genwinodw -pkg kernels -out ../winodw_amd64.s -stubs ../winodw_decl_amd64.go

// The AVX-512 dY transforms, where the CPU has them.
func init() {
	winoDyKernels.Register(cpuvariant.AVX512, cpu.X86.HasAVX512F,
		&[7]winoDyFunc{4: avx512WinoDy4Checked, 6: avx512WinoDy6Checked})
}

// avx512WinoDy4Checked is a winoDyFunc for α = 4: avx512WinoDy4 after
// checking the extent of what it reads and writes.
func avx512WinoDy4Checked(w []float32, xiStride int, y0, y1, y2, y3 []float32, n int) {
	_, _, _, _, _ = w[15*xiStride+n-1], y0[n-1], y1[n-1], y2[n-1], y3[n-1]
	avx512WinoDy4(&w[0], xiStride, &y0[0], &y1[0], &y2[0], &y3[0], n)
}

// avx512WinoDy6Checked is a winoDyFunc for α = 6.
func avx512WinoDy6Checked(w []float32, xiStride int, y0, y1, y2, y3 []float32, n int) {
	_, _, _, _, _ = w[35*xiStride+n-1], y0[n-1], y1[n-1], y2[n-1], y3[n-1]
	avx512WinoDy6(&w[0], xiStride, &y0[0], &y1[0], &y2[0], &y3[0], n)
}
