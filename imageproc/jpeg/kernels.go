package jpeg

import "github.com/alexnet-go/alexnet/internal/cpuvariant"

// kernelSet is one implementation of the decoder's per-block and per-pixel
// stages. The portable set, goKernels, runs the Go loops named in each
// field's comment; every other set computes the same bytes.
type kernelSet struct {
	name string
	// idct is idctGo: one block's islow inverse DCT into 8 rows at dst.
	idct func(b *[64]int16, q *[64]int16, dst []byte, stride int)
	// ycc is yccRow (RGBA out) and yccRGB is yccRowRGB (packed RGB out).
	ycc, yccRGB func(dst, y, cb, cr []byte)
	// h2v1 is h2v1Fancy and h2v2 is h2v2Fancy.
	h2v1 func(in, out []byte)
	h2v2 func(in, nb, out []byte)
}

// goKernels is the portable implementation.
var goKernels = &kernelSet{
	name:   "go",
	idct:   idctGo,
	ycc:    yccRow,
	yccRGB: yccRowRGB,
	h2v1:   h2v1Fancy,
	h2v2:   h2v2Fancy,
}

// kernels is the decoder's kernel family: goKernels, and the assembly
// sets this build and CPU can run (kernels_amd64.go). A decode uses
// kernels.Get(), the set cpuvariant selects.
var kernels = cpuvariant.NewFamily("jpeg", goKernels)
