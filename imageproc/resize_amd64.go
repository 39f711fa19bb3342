//go:build !purego

package imageproc

import (
	"golang.org/x/sys/cpu"

	"github.com/alexnet-go/alexnet/internal/cpuvariant"
)

//go:generate go run -C ../kernels/_asm ./genresize -pkg imageproc -out ../../imageproc/resize_amd64.s -stubs ../../imageproc/resize_decl_amd64.go

// The AVX2 row kernels, where the CPU has AVX2.
func init() {
	resizeAsm.Register(cpuvariant.AVX2, cpu.X86.HasAVX2, &resizeKernels{vert4: resizeVert4AVX2, horz: resizeHorzAVX2})
}
