package kernels

// i8Panel is the width of a panel of a PackedI8: 16 columns, one int32
// lane each in a 512-bit vector.
const i8Panel = 16

// PackedI8 is an int8 K×N matrix B (the weights of an int8 GEMM) packed
// once for I8Gemm. K is padded with zeros to a multiple of 4 and N to a
// multiple of 16; each panel of 16 columns holds, for each group of 4
// consecutive k, the 4 values of each column next to each other (one
// 32-bit lane, what VPDPBUSD multiplies with 4 bytes of A):
//
//	data[(j/16)*ps + (p/4)*64 + (j%16)*4 + p%4] = B[p, j]   (ps = 64·⌈K/4⌉)
//
// It also holds the column sums Σ_p B[p, j] that requantization with a
// nonzero activation zero point subtracts (see Requant). A PackedI8 is
// read-only once packed and safe for concurrent use.
type PackedI8 struct {
	K, N int
	// ColSum[j] is Σ_{p<K} B[p, j], for j < N.
	ColSum []int32
	data   []int8
}

// PackI8 packs B, stored K×N with row stride ldb (B[p, j] = b[p*ldb+j]),
// or N×K when trans (B[p, j] = b[j*ldb+p]: a linear layer's weight, or a
// convolution's (out, in·kh·kw) weight).
func PackI8(b []int8, ldb int, trans bool, k, n int) *PackedI8 {
	p := &PackedI8{K: k, N: n, ColSum: make([]int32, n)}
	ps := p.stride()
	p.data = make([]int8, (n+i8Panel-1)/i8Panel*ps)
	for j := 0; j < n; j++ {
		off := j/i8Panel*ps + j%i8Panel*4
		var s int32
		for q := 0; q < k; q++ {
			var v int8
			if trans {
				v = b[j*ldb+q]
			} else {
				v = b[q*ldb+j]
			}
			p.data[off+q/4*64+q%4] = v
			s += int32(v)
		}
		p.ColSum[j] = s
	}
	return p
}

// stride is the size in bytes of one panel: ⌈K/4⌉ groups of 64.
func (p *PackedI8) stride() int { return (p.K + 3) / 4 * 64 }

// At returns B[k, j] for k < K, j < N.
func (p *PackedI8) At(k, j int) int8 {
	return p.data[j/i8Panel*p.stride()+k/4*64+j%i8Panel*4+k%4]
}
