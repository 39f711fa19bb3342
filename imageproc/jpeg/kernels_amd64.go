//go:build !purego

package jpeg

import (
	"golang.org/x/sys/cpu"

	"github.com/alexnet-go/alexnet/internal/cpuvariant"
)

//go:generate go run -C ../../kernels/_asm ./genjpeg -pkg jpeg -out ../../imageproc/jpeg/simd_amd64.s -stubs ../../imageproc/jpeg/simd_decl_amd64.go

// The AVX2 kernels, where the CPU has AVX2.
func init() {
	kernels.Register(cpuvariant.AVX2, cpu.X86.HasAVX2, &kernelSet{
		name:   "avx2",
		idct:   idctAVX2,
		ycc:    yccAVX2,
		yccRGB: yccRGBAVX2,
		h2v1:   h2v1AVX2,
		h2v2:   h2v2AVX2,
	})
}

// idctAVX2 is idctGo through avx2IDCT.
func idctAVX2(b *[64]int16, q *[64]int16, dst []byte, stride int) {
	_ = dst[7*stride+7]
	avx2IDCT(b, q, &dst[0], stride)
}

// yccAVX2 is yccRow: avx2YCCRGBA on whole groups of 8 pixels, yccRow on
// the rest.
var yccAVX2 = yccVec(4, avx2YCCRGBA, yccRow)

// yccRGBAVX2 is yccRowRGB: avx2YCC on whole groups of 8 pixels, yccRowRGB
// on the rest.
var yccRGBAVX2 = yccVec(3, avx2YCC, yccRowRGB)

// yccVec is a colour conversion to bpp bytes a pixel: vec on whole groups
// of 8 pixels, tail on the rest.
func yccVec(bpp int, vec func(dst, y, cb, cr *byte, n int), tail func(dst, y, cb, cr []byte)) func(dst, y, cb, cr []byte) {
	return func(dst, y, cb, cr []byte) {
		n := len(y)
		dst, cb, cr = dst[:bpp*n], cb[:n], cr[:n]
		m := n &^ 7
		if m > 0 {
			vec(&dst[0], &y[0], &cb[0], &cr[0], m)
		}
		tail(dst[bpp*m:], y[m:], cb[m:], cr[m:])
	}
}

// h2v1AVX2 is h2v1Fancy: avx2H2V1 on the interior samples 1 to n-2 in
// groups of 16, the Go loop (h2v1Span) on the ends and the rest.
func h2v1AVX2(in, out []byte) {
	n := len(in)
	out = out[:2*n]
	m := (n - 2) &^ 15
	if m > 0 {
		avx2H2V1(&in[1], &out[2], m)
	}
	h2v1Span(in, out, 1+m)
}

// h2v2AVX2 is h2v2Fancy: avx2H2V2 on the interior samples 1 to n-2 in
// groups of 16, the Go loop (h2v2Span) on the ends and the rest.
func h2v2AVX2(in, nb, out []byte) {
	n := len(in)
	nb, out = nb[:n], out[:2*n]
	m := (n - 2) &^ 15
	if m > 0 {
		avx2H2V2(&in[1], &nb[1], &out[2], m)
	}
	h2v2Span(in, nb, out, 1+m)
}
