package imageproc

import "github.com/alexnet-go/alexnet/internal/cpuvariant"

// resizeKernels are assembly row kernels (see kernels/_asm/genresize).
type resizeKernels struct {
	vert4 func(dst *uint8, rows *[4]*uint8, k *[4]int32, n int)
	horz  func(dst, src *uint8, tab *int32, chunks, taps int)
}

// resizeAsm is the family of the resize row kernels: nil, the Go loops,
// for the portable variant, and the CPU's assembly where it has some
// (resize_amd64.go). The resize passes run resizeAsm.Get().
var resizeAsm = cpuvariant.NewFamily[*resizeKernels]("resize", nil)
