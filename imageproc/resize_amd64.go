//go:build !purego

package imageproc

import "golang.org/x/sys/cpu"

//go:generate go run -C ../kernels/_asm ./genresize -pkg imageproc -out ../../imageproc/resize_amd64.s -stubs ../../imageproc/resize_decl_amd64.go

func init() {
	if cpu.X86.HasAVX2 {
		resizeAsm = &resizeKernels{vert4: resizeVert4AVX2, horz: resizeHorzAVX2}
	}
}
