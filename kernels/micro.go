package kernels

// microArch is one register-blocked GEMM micro-kernel with the blocking
// around it: the packed driver (gemmPacked) calls gemm on MR×NR tiles of C
// from MR-tall strips of op(A) and NR-wide strips of op(B), KC deep, and
// dot (when present) computes the B-transposed products of the fully
// connected layers without packing.
type microArch struct {
	name   string
	mr, nr int // micro-tile
	kc, nc int // depth of a packed block; columns of a packed B panel

	// gemm computes the m×n corner (m ≤ mr, n ≤ nr) of a tile of C at c
	// (leading dimension ldc) from the packed strip a (kc×mr) and kc rows
	// of nr floats of b, ldb apart (a panel, zero past n):
	//
	//	for i < m, j < n:
	//	    s := flags&gemmAccum ? c[i*ldc+j] : rb[i] + cb[j]
	//	    for p < kc: s += a[p*mr+i] * b[p*ldb+j]
	//	    if flags&gemmReLU: s = max(0, s)
	//	    c[i*ldc+j] = s
	//
	// rb holds at least m values and cb at least nr.
	gemm func(m, n, kc int, a, b []float32, ldb int, c []float32, ldc int, rb, cb []float32, flags int)

	// gemmRaw, if not nil, is gemm with A read in place: row i of the
	// tile is a[i*lda : i*lda+kc].
	gemmRaw func(m, n, kc int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, rb, cb []float32, flags int)

	// gemmOff, if not nil, is gemm with row p of b at b[rows.offs[p0+p]]
	// instead of b[p*ldb]: the rows of an im2col read in place from the
	// input (see convDirect).
	gemmOff func(m, n, kc int, a, b []float32, rows *offsetRows, p0 int, c []float32, ldc int, rb, cb []float32, flags int)

	// copyRows, if not nil, is the inner loop of the im2col packer:
	//
	//	for j := 0; j < n; oy, ox = oy+1, 0 {
	//	    cnt := min(n-j, ow-ox)
	//	    copy(d[j:j+cnt], src[oy*step+ox:])
	//	    j += cnt
	//	}
	copyRows func(d, src []float32, step, ow, ox, n int)

	// wino holds, indexed by α, the vector Winograd transforms of up to
	// 16 adjacent tiles (see avx512WinoInput); zero: the portable ones.
	wino [7]winoKernels

	// dot, if not nil, adds m ≤ dotM rows of x times n ≤ dotN rows of w
	// over k floats (k a multiple of lanes) into out:
	//
	//	out[i*ldo+j] += Σ_{p < k} x[i*ldx+p] * w[j*ldw+p]
	dot               func(m, n, k int, x []float32, ldx int, w []float32, ldw int, out []float32, ldo int)
	dotM, dotN, lanes int
}

// depth is the block depth used for a sum over k: at most kc, and the
// blocks as even as possible (k = 363 gives two blocks of 182, not 256 and
// 107), so no block is short enough for the C tile's reload to show.
func (a *microArch) depth(k int) int {
	if k <= a.kc {
		return max(k, 1)
	}
	n := (k + a.kc - 1) / a.kc
	return (k + n - 1) / n
}

// Flags of microArch.gemm.
const (
	gemmAccum = 1 // start from C instead of the biases
	gemmReLU  = 2 // clamp the result at zero
)

// portableArch runs the plain-Go 3×4 kernel of SgemmBlocked under the
// packed driver; it is the twin of the SIMD architectures on every build.
var portableArch = &microArch{name: "portable", mr: gemmMR, nr: gemmNR, kc: gemmKC, nc: gemmNC, gemm: portableGemm}

// portableGemm is microArch.gemm for the 3×4 Go kernel, which takes a
// packed B strip: b is copied into one first.
func portableGemm(m, n, kc int, a, b []float32, ldb int, c []float32, ldc int, rb, cb []float32, flags int) {
	var acc [gemmMR * gemmNR]float32
	var strip [gemmKC * gemmNR]float32
	for p := 0; p < kc; p++ {
		copy(strip[p*gemmNR:(p+1)*gemmNR], b[p*ldb:p*ldb+gemmNR])
	}
	kernel3x4(kc, a, strip[:kc*gemmNR], &acc)
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		for j := range row {
			var s float32
			if flags&gemmAccum != 0 {
				s = row[j] + acc[i*gemmNR+j]
			} else {
				s = rb[i] + cb[j] + acc[i*gemmNR+j]
			}
			if flags&gemmReLU != 0 && s < 0 {
				s = 0
			}
			row[j] = s
		}
	}
}

// copyRowsGo is microArch.copyRows in Go.
func copyRowsGo(d, src []float32, step, ow, ox, n int) {
	for j, row := 0, 0; j < n; row += step {
		cnt := min(n-j, ow-ox)
		copy(d[j:j+cnt], src[row+ox:row+ox+cnt])
		j += cnt
		ox = 0
	}
}

// winoInputFunc transforms n ≤ 16 adjacent Winograd input tiles of one
// channel (see avx512WinoInput); tmp is scratch of 36×16 floats.
type winoInputFunc func(v []float32, xiStride int, src []float32, rowStride, phase, n int, tmp []float32)

// winoOutputFunc transforms up to 16 adjacent Winograd output tiles of one
// channel, writing cols output columns (see avx512WinoOutput).
type winoOutputFunc func(m []float32, xiStride int, out []float32, ow int, bias []float32, flags, cols int)

// winoKernels are one tile size's vector transforms.
type winoKernels struct {
	input  winoInputFunc
	output winoOutputFunc
}
