package kernels

import "github.com/alexnet-go/alexnet/internal/cpuvariant"

// transposeInto writes the m×p matrix src into dst as p rows of ld:
// dst[s*ld+o] = src[o*p+s], in blocks of 16 rows of src, full 16×16 blocks
// by transpose16 where the CPU has it.
func transposeInto(dst []float32, ld int, src []float32, m, p int) {
	transposeWith(transpose16.Get(), dst, ld, src, m, p)
}

// transpose16 is the family of the 16×16 block transpose: where not nil,
// it sets dst[t*ldd + r] = src[r*lds + t] for r, t < 16 (layout_amd64.go).
var transpose16 = cpuvariant.NewFamily[func(dst []float32, ldd int, src []float32, lds int)]("transpose16", nil)

// transposeWith is transposeInto with block (nil: none) for the full
// 16×16 blocks.
func transposeWith(block func(dst []float32, ldd int, src []float32, lds int), dst []float32, ld int, src []float32, m, p int) {
	full := 0
	if block != nil {
		full = p &^ 15
	}
	for o0 := 0; o0 < m; o0 += 16 {
		o1 := min(o0+16, m)
		s0 := 0
		if o1-o0 == 16 {
			for ; s0 < full; s0 += 16 {
				block(dst[s0*ld+o0:], ld, src[o0*p+s0:], p)
			}
		}
		for s := s0; s < p; s++ {
			d := dst[s*ld+o0 : s*ld+o1]
			for i := range d {
				d[i] = src[(o0+i)*p+s]
			}
		}
	}
}
