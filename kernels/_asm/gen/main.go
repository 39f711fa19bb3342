// Command gen writes kernels/simd_amd64.s and its Go declarations with avo:
// the register-blocked SGEMM micro-kernels and the dot-product (GEMV)
// kernels for AVX-512 and AVX2+FMA. Run it through go generate in kernels.
//
// Every function is emitted once per tile height (and width for the dot
// kernels), so edge tiles run a kernel of their own size instead of
// computing padding.
package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// isa describes one vector instruction set's registers.
type isa struct {
	name  string // function name prefix: "avx512", "avx2"
	lanes int    // float32 lanes per vector register
	regs  int    // vector registers
	vec   func(i int) VecPhysical
	mask  bool // AVX-512 opmasks for partial columns
}

var (
	avx512 = isa{"avx512", 16, 32, func(i int) VecPhysical { return zmm[i] }, true}
	avx2   = isa{"avx2", 8, 16, func(i int) VecPhysical { return ymm[i] }, false}
	zmm    = []VecPhysical{Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15,
		Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27, Z28, Z29, Z30, Z31}
	ymm = []VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15}
)

// Tile sizes; kernels/simd_amd64.go repeats them as constants.
const (
	avx512MR, avx2MR       = 14, 6 // rows of the SGEMM tile
	avx512DotM, avx512DotN = 6, 4  // dot kernel tile
	avx2DotM, avx2DotN     = 3, 4
)

func main() {
	ConstraintExpr("!purego")
	for _, mode := range []aMode{packedA, rawA} {
		for m := 1; m <= avx512MR; m++ {
			gemmKernel(avx512, avx512MR, m, mode)
		}
		for m := 1; m <= avx2MR; m++ {
			gemmKernel(avx2, avx2MR, m, mode)
		}
	}
	for m := 1; m <= avx512MR; m++ {
		gemmKernel(avx512, avx512MR, m, offsetB)
	}
	copyRows()
	winoInput()
	winoOutput()
	winoInput6()
	winoOutput6()
	for m := 1; m <= avx512DotM; m++ {
		for n := 1; n <= avx512DotN; n++ {
			dotKernel(avx512, m, n)
		}
	}
	for m := 1; m <= avx2DotM; m++ {
		for n := 1; n <= avx2DotN; n++ {
			dotKernel(avx2, m, n)
		}
	}
	Generate()
}

// aMode is how a gemmKernel addresses its operands.
type aMode int

const (
	packedA aMode = iota // A packed in strips, B rows ldb apart
	rawA                 // A rows lda apart, read in place
	offsetB              // A packed, B rows at a table of offsets
)

// gemmKernel emits the m-row SGEMM micro-kernel: a tile of m rows and two
// vectors (NR = 2*lanes columns) of C from m rows of A and kc rows of NR
// floats of b, ldb apart:
//
//	for i < m, j < NR (j masked by mask on AVX-512):
//	    acc = flags&1 ? c[i*ldc+j] : rb[i] + cb[j]
//	    for p < kc: acc += A(i, p) * b[p*ldb+j]
//	    if flags&2: acc = max(acc, 0)
//	    c[i*ldc+j] = acc
//
// where A(i, p) is a[p*mr+i] for a packed strip (packedA, offsetB) or
// a[i*lda+p] for rows of a row-major matrix (rawA: the weights of a fully
// connected layer, read once, in place). Row p of b is at b[p*ldb], or at
// b[offs[p]] with offsetB (rows of an implicit im2col, read in place from
// the input). lda, ldb, ldc and offs are in floats.
func gemmKernel(v isa, mr, m int, mode aMode) {
	raw := mode == rawA
	name := fmt.Sprintf("%sGemm%d", v.name, m)
	sig := "func(kc int, a *float32, b *float32, ldb int, c *float32, ldc int, rb, cb *float32, flags int, mask uint32)"
	what := "a packed strip of A"
	switch mode {
	case rawA:
		name = fmt.Sprintf("%sGemmRaw%d", v.name, m)
		sig = "func(kc int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, rb, cb *float32, flags int, mask uint32)"
		what = "rows of A, lda apart"
	case offsetB:
		name = fmt.Sprintf("%sGemmOff%d", v.name, m)
		sig = "func(kc int, a *float32, b *float32, offs *int32, c *float32, ldc int, rb, cb *float32, flags int, mask uint32)"
		what = "a packed strip of A and rows of B at offsets"
	}
	TEXT(name, NOSPLIT, sig)
	Doc(fmt.Sprintf("%s computes an %d×%d tile of C from %s (see gemmKernel in kernels/_asm/gen).", name, m, 2*v.lanes, what))
	vb := v.lanes * 4 // bytes per vector
	acc := func(i, h int) VecPhysical { return v.vec(4 + 2*i + h) }
	b0, b1, x0, x1 := v.vec(0), v.vec(1), v.vec(2), v.vec(3)

	// Prologue: the masks and the initial value, C (accumulate) or the biases.
	c, ldc, flags, rb, cb := RDX, R8, R11, R9, R10
	Load(Param("c"), c)
	Load(Param("ldc"), ldc)
	SHLQ(Imm(2), ldc)
	Load(Param("flags"), flags)
	if v.mask {
		Load(Param("mask"), EAX)
		KMOVW(EAX, K1)
		SHRL(Imm(16), EAX)
		KMOVW(EAX, K2)
	}
	TESTQ(U32(1), flags)
	JNZ(LabelRef(name + "_loadc"))
	Load(Param("rb"), rb)
	Load(Param("cb"), cb)
	VMOVUPS(Mem{Base: cb}, b0)
	VMOVUPS(Mem{Base: cb, Disp: vb}, b1)
	for i := 0; i < m; i++ {
		VBROADCASTSS(Mem{Base: rb, Disp: 4 * i}, x0)
		VADDPS(b0, x0, acc(i, 0))
		VADDPS(b1, x0, acc(i, 1))
	}
	JMP(LabelRef(name + "_body"))
	Label(name + "_loadc")
	for i := 0; i < m; i++ {
		if v.mask {
			VMOVUPS_Z(Mem{Base: c}, K1, acc(i, 0))
			VMOVUPS_Z(Mem{Base: c, Disp: vb}, K2, acc(i, 1))
		} else {
			VMOVUPS(Mem{Base: c}, acc(i, 0))
			VMOVUPS(Mem{Base: c, Disp: vb}, acc(i, 1))
		}
		ADDQ(ldc, c)
	}

	// Body: kc steps, unrolled by four.
	Label(name + "_body")
	kc, b, ldb, ldb3 := RCX, RDI, R13, R14
	Load(Param("kc"), kc)
	Load(Param("b"), b)
	if mode == offsetB {
		Load(Param("offs"), ldb) // R13: the offsets; R14, R12: scratch
	} else {
		Load(Param("ldb"), ldb)
		SHLQ(Imm(2), ldb)
		LEAQ(Mem{Base: ldb, Index: ldb, Scale: 2}, ldb3)
	}
	// Row u of a four-row group at base r with stride l (l3 = 3*l).
	quad := func(r, l, l3 Register, u, disp int) Mem {
		switch u {
		case 0:
			return Mem{Base: r, Disp: disp}
		case 1:
			return Mem{Base: r, Index: l, Scale: 1, Disp: disp}
		case 2:
			return Mem{Base: r, Index: l, Scale: 2, Disp: disp}
		}
		return Mem{Base: r, Index: l3, Scale: 1, Disp: disp}
	}
	// Raw A: rows 4q..4q+3 hang off base q, lda apart.
	bases := []GPPhysical{RSI, R8, R9, R10}
	lda, lda3 := R11, R12
	var aElem func(i, u int) Mem
	var advanceA func(steps int)
	if raw {
		Load(Param("a"), RSI)
		Load(Param("lda"), lda)
		SHLQ(Imm(2), lda)
		LEAQ(Mem{Base: lda, Index: lda, Scale: 2}, lda3)
		for q := 1; q*4 < m; q++ {
			LEAQ(Mem{Base: bases[q-1], Index: lda, Scale: 4}, bases[q])
		}
		aElem = func(i, u int) Mem { return quad(bases[i/4], lda, lda3, i%4, 4*u) }
		advanceA = func(steps int) {
			for q := 0; q*4 < m; q++ {
				ADDQ(U32(4*steps), bases[q])
			}
		}
	} else {
		Load(Param("a"), RSI)
		aElem = func(i, u int) Mem { return Mem{Base: RSI, Disp: 4 * (u*mr + i)} }
		advanceA = func(steps int) { ADDQ(U32(steps*mr*4), RSI) }
	}
	step := func(u int) {
		if mode == offsetB {
			row := []GPPhysical{R14, R12}[u%2]
			MOVLQSX(Mem{Base: ldb, Disp: 4 * u}, row)
			VMOVUPS(Mem{Base: b, Index: row, Scale: 4}, b0)
			VMOVUPS(Mem{Base: b, Index: row, Scale: 4, Disp: vb}, b1)
		} else {
			VMOVUPS(quad(b, ldb, ldb3, u, 0), b0)
			VMOVUPS(quad(b, ldb, ldb3, u, vb), b1)
		}
		for i := 0; i < m; i++ {
			x := x0
			if i%2 == 1 {
				x = x1
			}
			VBROADCASTSS(aElem(i, u), x)
			VFMADD231PS(b0, x, acc(i, 0))
			VFMADD231PS(b1, x, acc(i, 1))
		}
	}
	const unroll = 4
	Label(name + "_loop4")
	CMPQ(kc, Imm(unroll))
	JL(LabelRef(name + "_tail"))
	for u := 0; u < unroll; u++ {
		step(u)
	}
	advanceA(unroll)
	if mode == offsetB {
		ADDQ(U32(4*unroll), ldb)
	} else {
		LEAQ(Mem{Base: b, Index: ldb, Scale: 4}, b)
	}
	SUBQ(Imm(unroll), kc)
	JMP(LabelRef(name + "_loop4"))
	Label(name + "_tail")
	TESTQ(kc, kc)
	JE(LabelRef(name + "_store"))
	step(0)
	advanceA(1)
	if mode == offsetB {
		ADDQ(U32(4), ldb)
	} else {
		ADDQ(ldb, b)
	}
	DECQ(kc)
	JMP(LabelRef(name + "_tail"))

	// Epilogue: ReLU, then store.
	Label(name + "_store")
	Load(Param("flags"), flags)
	TESTQ(U32(2), flags)
	JE(LabelRef(name + "_write"))
	VXORPS(b0, b0, b0)
	for i := 0; i < m; i++ {
		VMAXPS(b0, acc(i, 0), acc(i, 0))
		VMAXPS(b0, acc(i, 1), acc(i, 1))
	}
	Label(name + "_write")
	Load(Param("c"), c)
	Load(Param("ldc"), ldc)
	SHLQ(Imm(2), ldc)
	for i := 0; i < m; i++ {
		if v.mask {
			VMOVUPS(acc(i, 0), K1, Mem{Base: c})
			VMOVUPS(acc(i, 1), K2, Mem{Base: c, Disp: vb})
		} else {
			VMOVUPS(acc(i, 0), Mem{Base: c})
			VMOVUPS(acc(i, 1), Mem{Base: c, Disp: vb})
		}
		if i+1 < m {
			ADDQ(ldc, c)
		}
	}
	VZEROUPPER()
	RET()
}

// dotKernel emits the m×n dot-product kernel: m rows of x against n rows
// of w over k floats (k a multiple of lanes; ldx, ldw, ldo in floats),
// added into out:
//
//	for i < m, j < n:
//	    out[i*ldo+j] += Σ_{p < k} x[i*ldx+p] * w[j*ldw+p]
//
// with one vector of lane-wise partial sums per output, added up at the end.
func dotKernel(v isa, m, n int) {
	name := fmt.Sprintf("%sDot%dx%d", v.name, m, n)
	TEXT(name, NOSPLIT, "func(k int, x *float32, ldx int, w *float32, ldw int, out *float32, ldo int)")
	Doc(fmt.Sprintf("%s adds %d×%d dot products into out (see dotKernel in kernels/_asm/gen).", name, m, n))
	vb := v.lanes * 4
	k, ldx, ldw := RCX, R8, R9
	Load(Param("k"), k)
	SHLQ(Imm(2), k) // in bytes
	Load(Param("x"), RSI)
	Load(Param("ldx"), ldx)
	SHLQ(Imm(2), ldx)
	Load(Param("w"), RDI)
	Load(Param("ldw"), ldw)
	SHLQ(Imm(2), ldw)
	// Row pointers: x rows in SI, R10-R13, BX; w rows in DI, R14, AX, R15.
	xr := []GPPhysical{RSI, R10, R11, R12, R13, RBX}[:m]
	wr := []GPPhysical{RDI, R14, RAX, R15}[:n]
	for i := 1; i < m; i++ {
		LEAQ(Mem{Base: xr[i-1], Index: ldx, Scale: 1}, xr[i])
	}
	for j := 1; j < n; j++ {
		LEAQ(Mem{Base: wr[j-1], Index: ldw, Scale: 1}, wr[j])
	}
	acc := func(i, j int) VecPhysical { return v.vec(m + 1 + i*n + j) }
	xv := func(i int) VecPhysical { return v.vec(i) }
	wv := v.vec(m)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			VXORPS(acc(i, j), acc(i, j), acc(i, j))
		}
	}
	off := RDX // byte offset into every row
	XORQ(off, off)
	Label(name + "_loop")
	CMPQ(off, k)
	JGE(LabelRef(name + "_done"))
	for i := 0; i < m; i++ {
		VMOVUPS(Mem{Base: xr[i], Index: off, Scale: 1}, xv(i))
	}
	for j := 0; j < n; j++ {
		VMOVUPS(Mem{Base: wr[j], Index: off, Scale: 1}, wv)
		for i := 0; i < m; i++ {
			VFMADD231PS(xv(i), wv, acc(i, j))
		}
	}
	ADDQ(U32(vb), off)
	JMP(LabelRef(name + "_loop"))

	// Add each accumulator's lanes up and into out.
	Label(name + "_done")
	out, ldo := RDX, R8
	Load(Param("out"), out)
	Load(Param("ldo"), ldo)
	SHLQ(Imm(2), ldo)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			a := acc(i, j)
			ya, xa := a.AsY(), a.AsX()
			if v.lanes == 16 {
				VEXTRACTF32X8(Imm(1), a, Y0)
				VADDPS(Y0, ya, ya)
			}
			if v.lanes == 16 { // EVEX: accumulators may be X16-X31
				VEXTRACTF32X4(Imm(1), ya, X0)
			} else {
				VEXTRACTF128(Imm(1), ya, X0)
			}
			VADDPS(X0, xa, xa)
			VMOVHLPS(xa, X0, X0)
			VADDPS(X0, xa, xa)
			VMOVSHDUP(xa, X0)
			VADDSS(X0, xa, xa)
			VADDSS(Mem{Base: out, Disp: 4 * j}, xa, xa)
			VMOVSS(xa, Mem{Base: out, Disp: 4 * j})
		}
		if i+1 < m {
			ADDQ(ldo, out)
		}
	}
	VZEROUPPER()
	RET()
}

// copyRows emits avx512CopyRows, the inner loop of the im2col packer: n
// floats gathered from consecutive rows of a plane, step floats apart,
// starting at column ox of row 0, each row contributing up to ow columns:
//
//	for j := 0; j < n; oy, ox = oy+1, 0 {
//	    cnt := min(n-j, ow-ox)
//	    copy(d[j:j+cnt], src[oy*step+ox:])
//	    j += cnt
//	}
func copyRows() {
	TEXT("avx512CopyRows", NOSPLIT, "func(d, src *float32, step, ow, ox, n int)")
	Doc("avx512CopyRows copies n floats of rows of src into d (see copyRows in kernels/_asm/gen).")
	d, s, step, ow, ox, n, cnt, p := RDI, RSI, R8, R9, R10, R11, RCX, R12
	Load(Param("d"), d)
	Load(Param("src"), s)
	Load(Param("step"), step)
	SHLQ(Imm(2), step)
	Load(Param("ow"), ow)
	Load(Param("ox"), ox)
	Load(Param("n"), n)
	Label("copyrows_row")
	TESTQ(n, n)
	JE(LabelRef("copyrows_done"))
	MOVQ(ow, cnt)
	SUBQ(ox, cnt)
	CMPQ(cnt, n)
	CMOVQGT(n, cnt)
	SUBQ(cnt, n)
	LEAQ(Mem{Base: s, Index: ox, Scale: 4}, p)
	Label("copyrows_chunk")
	CMPQ(cnt, Imm(16))
	JL(LabelRef("copyrows_tail"))
	VMOVUPS(Mem{Base: p}, Z0)
	VMOVUPS(Z0, Mem{Base: d})
	ADDQ(Imm(64), p)
	ADDQ(Imm(64), d)
	SUBQ(Imm(16), cnt)
	JMP(LabelRef("copyrows_chunk"))
	Label("copyrows_tail")
	TESTQ(cnt, cnt)
	JE(LabelRef("copyrows_next"))
	MOVL(U32(0xffffffff), EAX)
	BZHIL(ECX, EAX, EAX)
	KMOVW(EAX, K1)
	VMOVUPS_Z(Mem{Base: p}, K1, Z0)
	VMOVUPS(Z0, K1, Mem{Base: d})
	LEAQ(Mem{Base: d, Index: cnt, Scale: 4}, d)
	Label("copyrows_next")
	ADDQ(step, s)
	XORQ(ox, ox)
	JMP(LabelRef("copyrows_row"))
	Label("copyrows_done")
	VZEROUPPER()
	RET()
}

// winoInput emits avx512WinoInput, the Winograd F(2×2, 3×3) input
// transform of up to 16 horizontally adjacent tiles of one channel. src is
// padded row 2·ty split into even and odd columns (odd ones phase floats
// after the even ones), rows rowStride floats apart; lane l is tile tx0+l:
//
//	d[r][0..3] = src[r*rowStride + l], src[r*rowStride + phase + l],
//	             src[r*rowStride + l+1], src[r*rowStride + phase + l+1]
//	v[(4r+s)*xiStride + l] = (Bᵀ d B)[r][s]        (lanes in mask)
func winoInput() {
	TEXT("avx512WinoInput", NOSPLIT, "func(v *float32, xiStride int, src *float32, rowStride, phase int, mask uint32)")
	Doc("avx512WinoInput transforms up to 16 Winograd input tiles (see winoInput in kernels/_asm/gen).")
	v, xs, src, rs, ph := RDI, R8, RSI, R9, R10
	Load(Param("v"), v)
	Load(Param("xiStride"), xs)
	SHLQ(Imm(2), xs)
	Load(Param("src"), src)
	Load(Param("rowStride"), rs)
	SHLQ(Imm(2), rs)
	Load(Param("phase"), ph)
	SHLQ(Imm(2), ph)
	Load(Param("mask"), EAX)
	KMOVW(EAX, K1)
	d := func(r, s int) VecPhysical { return zmm[r*4+s] }
	e := func(r, s int) VecPhysical { return zmm[16+r*4+s] }
	for r := 0; r < 4; r++ {
		VMOVUPS_Z(Mem{Base: src}, K1, d(r, 0))
		VMOVUPS_Z(Mem{Base: src, Index: ph, Scale: 1}, K1, d(r, 1))
		VMOVUPS_Z(Mem{Base: src, Disp: 4}, K1, d(r, 2))
		VMOVUPS_Z(Mem{Base: src, Index: ph, Scale: 1, Disp: 4}, K1, d(r, 3))
		if r < 3 {
			ADDQ(rs, src)
		}
	}
	for s := 0; s < 4; s++ { // e = Bᵀ d, by columns
		VSUBPS(d(2, s), d(0, s), e(0, s))
		VADDPS(d(2, s), d(1, s), e(1, s))
		VSUBPS(d(1, s), d(2, s), e(2, s))
		VSUBPS(d(3, s), d(1, s), e(3, s))
	}
	for r := 0; r < 4; r++ { // (Bᵀ d) B, by rows, into d
		VSUBPS(e(r, 2), e(r, 0), d(r, 0))
		VADDPS(e(r, 2), e(r, 1), d(r, 1))
		VSUBPS(e(r, 1), e(r, 2), d(r, 2))
		VSUBPS(e(r, 3), e(r, 1), d(r, 3))
	}
	for k := 0; k < 16; k++ {
		VMOVUPS(zmm[k], K1, Mem{Base: v})
		if k < 15 {
			ADDQ(xs, v)
		}
	}
	VZEROUPPER()
	RET()
}

// interleave holds the permutation tables of winoStore (set by winoOutput).
var interleave [2]Mem

// winoOutput emits avx512WinoOutput, the Winograd F(2×2, 3×3) output
// transform of up to 16 horizontally adjacent tiles of one output channel:
// lane l is tile l of the run, m[ξ*xiStride + l] its 16 GEMM results, and
//
//	Y = Aᵀ M A + bias (then max(0, ·) if flags&1)
//
// goes to two output rows ow floats apart (the second only if flags&2),
// columns interleaved as tile l's pair at 2l, 2l+1, masked by mask (low
// 16 bits: columns 0-15, high 16 bits: columns 16-31).
func winoOutput() {
	// Output column i of a 16-column half takes lane (half*8 + i/2) of y0
	// for even i, of y1 (table entries 16-31) for odd i.
	for h, name := range []string{"winoInterleaveLo", "winoInterleaveHi"} {
		interleave[h] = GLOBL(name, RODATA|NOPTR)
		for i := 0; i < 16; i++ {
			DATA(4*i, U32(8*h+i/2+16*(i%2)))
		}
	}
	lo, hi := interleave[0], interleave[1]

	mp, xs, out, ow, flags := winoOutputPrologue("avx512WinoOutput", "avx512WinoOutput transforms up to 16 Winograd output tiles (see winoOutput in kernels/_asm/gen).")
	q := func(k int) VecPhysical { return zmm[k] }
	for k := 0; k < 16; k++ {
		VMOVUPS(Mem{Base: mp}, q(k))
		if k < 15 {
			ADDQ(xs, mp)
		}
	}
	r := func(i, s int) VecPhysical { return zmm[16+i*4+s] }
	for s := 0; s < 4; s++ { // Aᵀ M, by columns
		VADDPS(q(4+s), q(s), r(0, s))
		VADDPS(q(8+s), r(0, s), r(0, s))
		VSUBPS(q(8+s), q(4+s), r(1, s))
		VSUBPS(q(12+s), r(1, s), r(1, s))
	}
	Load(Param("bias"), RAX)
	VBROADCASTSS(Mem{Base: RAX}, Z24)
	for i := 0; i < 2; i++ {
		y0, y1 := zmm[26+2*i], zmm[27+2*i]
		VADDPS(r(i, 1), r(i, 0), y0)
		VADDPS(r(i, 2), y0, y0)
		VADDPS(Z24, y0, y0)
		VSUBPS(r(i, 2), r(i, 1), y1)
		VSUBPS(r(i, 3), y1, y1)
		VADDPS(Z24, y1, y1)
	}
	winoStore("winoout", out, ow, flags, lo, hi)
}

// winoOutputPrologue starts a Winograd output transform: the function
// header, then m, xiStride (bytes), out, ow (bytes) and flags in
// registers and the column masks in K1, K2.
func winoOutputPrologue(name, doc string) (mp, xs, out, ow, flags GPPhysical) {
	TEXT(name, NOSPLIT, "func(m *float32, xiStride int, out *float32, ow int, bias *float32, flags int, mask uint32)")
	Doc(doc)
	mp, xs, out, ow, flags = RSI, R8, RDI, R9, R10
	Load(Param("m"), mp)
	Load(Param("xiStride"), xs)
	SHLQ(Imm(2), xs)
	Load(Param("out"), out)
	Load(Param("ow"), ow)
	SHLQ(Imm(2), ow)
	Load(Param("flags"), flags)
	Load(Param("mask"), EAX)
	KMOVW(EAX, K1)
	SHRL(Imm(16), EAX)
	KMOVW(EAX, K2)
	return
}

// winoStore ends a Winograd output transform: y0, y1 of row 0 in Z26,
// Z27 and of row 1 in Z28, Z29 (bias added); ReLU if flags&1, then each
// row's two vectors interleaved through the permutation tables lo and hi
// and stored under the masks K1, K2, row 1 only if flags&2.
func winoStore(prefix string, out, ow, flags GPPhysical, lo, hi Mem) {
	VXORPS(Z25, Z25, Z25)
	TESTQ(U32(1), flags)
	JE(LabelRef(prefix + "_interleave"))
	for k := 26; k < 30; k++ {
		VMAXPS(Z25, zmm[k], zmm[k])
	}
	Label(prefix + "_interleave")
	VMOVUPS(lo, Z0)
	VMOVUPS(hi, Z1)
	for i := 0; i < 2; i++ {
		y0, y1 := zmm[26+2*i], zmm[27+2*i]
		if i == 1 {
			TESTQ(U32(2), flags)
			JE(LabelRef(prefix + "_done"))
			ADDQ(ow, out)
		}
		VMOVAPS(y0, Z2)
		VPERMT2PS(y1, Z0, Z2)
		VMOVAPS(y0, Z3)
		VPERMT2PS(y1, Z1, Z3)
		VMOVUPS(Z2, K1, Mem{Base: out})
		VMOVUPS(Z3, K2, Mem{Base: out, Disp: 64})
	}
	Label(prefix + "_done")
	VZEROUPPER()
	RET()
}

// Float32 bit patterns of the F(2×2, 5×5) transform constants.
const (
	f4, fm4, fm5, f2 = 0x40800000, 0xc0800000, 0xc0a00000, 0x40000000
)

// bt6 applies F(2×2, 5×5)'s Bᵀ to six vectors (x0-x5 in Z0-Z5) into y
// (Z6-Z11), with the constants 4, -4, -5, 2 in Z28-Z31 and Z12-Z15 free:
//
//	y0 = 4x0 - 5x2 + x4          y3 = (x4 - x2) + 2(x3 - x1)
//	y1 = (x4 - 4x2) + (x3 - 4x1) y4 = (x4 - x2) - 2(x3 - x1)
//	y2 = (x4 - 4x2) - (x3 - 4x1) y5 = 4x1 - 5x3 + x5
func bt6() {
	x := func(i int) VecPhysical { return zmm[i] }
	y := func(i int) VecPhysical { return zmm[6+i] }
	c4, cm4, cm5, c2 := Z28, Z29, Z30, Z31
	a, b, c, e := Z12, Z13, Z14, Z15
	VMOVAPS(x(4), a)
	VFMADD231PS(x(2), cm4, a)
	VMOVAPS(x(3), b)
	VFMADD231PS(x(1), cm4, b)
	VADDPS(b, a, y(1))
	VSUBPS(b, a, y(2))
	VSUBPS(x(2), x(4), c)
	VSUBPS(x(1), x(3), e)
	VMOVAPS(c, y(3))
	VFMADD231PS(e, c2, y(3))
	VMOVAPS(c, y(4))
	VFNMADD231PS(e, c2, y(4))
	VMOVAPS(x(4), y(0))
	VFMADD231PS(x(2), cm5, y(0))
	VFMADD231PS(x(0), c4, y(0))
	VMOVAPS(x(5), y(5))
	VFMADD231PS(x(3), cm5, y(5))
	VFMADD231PS(x(1), c4, y(5))
}

// winoInput6 emits avx512WinoInput6, the F(2×2, 5×5) input transform of
// up to 16 adjacent tiles of one channel (6×6 windows; as winoInput with
// columns l, phase+l, l+1, phase+l+1, l+2, phase+l+2 of each row), through
// tmp (36 vectors) between the row and column passes:
//
//	v[(6r+s)*xiStride + l] = (Bᵀ d B)[r][s]        (lanes in mask)
func winoInput6() {
	TEXT("avx512WinoInput6", NOSPLIT, "func(v *float32, xiStride int, src *float32, rowStride, phase int, mask uint32, tmp *float32)")
	Doc("avx512WinoInput6 transforms up to 16 F(2×2, 5×5) input tiles (see winoInput6 in kernels/_asm/gen).")
	v, xs, src, rs, ph, tmp := RDI, R8, RSI, R9, R10, R11
	Load(Param("v"), v)
	Load(Param("xiStride"), xs)
	SHLQ(Imm(2), xs)
	Load(Param("src"), src)
	Load(Param("rowStride"), rs)
	SHLQ(Imm(2), rs)
	Load(Param("phase"), ph)
	SHLQ(Imm(2), ph)
	Load(Param("tmp"), tmp)
	Load(Param("mask"), EAX)
	KMOVW(EAX, K1)
	for i, c := range []uint32{f4, fm4, fm5, f2} {
		MOVL(U32(c), EAX)
		VPBROADCASTD(EAX, zmm[28+i])
	}
	// Rows: t[r][s] = (d_r B)[s] = Bᵀ applied to row r's six values.
	for r := 0; r < 6; r++ {
		for s := 0; s < 6; s++ {
			disp := 4 * (s / 2)
			if s%2 == 0 {
				VMOVUPS_Z(Mem{Base: src, Disp: disp}, K1, zmm[s])
			} else {
				VMOVUPS_Z(Mem{Base: src, Index: ph, Scale: 1, Disp: disp}, K1, zmm[s])
			}
		}
		bt6()
		for s := 0; s < 6; s++ {
			VMOVUPS(zmm[6+s], Mem{Base: tmp, Disp: 64 * (6*r + s)})
		}
		if r < 5 {
			ADDQ(rs, src)
		}
	}
	// Columns: V[i][s] = Bᵀ applied to column s of t, stored at V_ξ,
	// ξ = 6i+s: v + s*xiStride (in v, advanced per column) + i*6*xiStride.
	xs6 := R12
	IMUL3Q(U32(6), xs, xs6)
	for s := 0; s < 6; s++ {
		for r := 0; r < 6; r++ {
			VMOVUPS(Mem{Base: tmp, Disp: 64 * (6*r + s)}, zmm[r])
		}
		bt6()
		MOVQ(v, RAX)
		for i := 0; i < 6; i++ {
			VMOVUPS(zmm[6+i], K1, Mem{Base: RAX})
			if i < 5 {
				ADDQ(xs6, RAX)
			}
		}
		ADDQ(xs, v)
	}
	VZEROUPPER()
	RET()
}

// winoOutput6 emits avx512WinoOutput6, the F(2×2, 5×5) output transform
// of up to 16 adjacent tiles of one output channel, as winoOutput with 36
// GEMM results per tile and
//
//	Aᵀ = [1 1 1 1 1 0; 0 1 -1 2 -2 1]
func winoOutput6() {
	mp, xs, out, ow, flags := winoOutputPrologue("avx512WinoOutput6", "avx512WinoOutput6 transforms up to 16 F(2×2, 5×5) output tiles (see winoOutput6 in kernels/_asm/gen).")
	MOVL(U32(f2), EAX)
	VPBROADCASTD(EAX, Z31)
	// a0(x) = x0+x1+x2+x3+x4, a1(x) = (x1-x2) + 2(x3-x4) + x5 of six
	// vectors in regs[0..5], into d0, d1 (Z12, Z13 scratch).
	at := func(regs []VecPhysical, d0, d1 VecPhysical) {
		VADDPS(regs[1], regs[0], d0)
		VADDPS(regs[2], d0, d0)
		VADDPS(regs[3], d0, d0)
		VADDPS(regs[4], d0, d0)
		VSUBPS(regs[2], regs[1], d1)
		VSUBPS(regs[4], regs[3], Z12)
		VFMADD231PS(Z12, Z31, d1)
		VADDPS(regs[5], d1, d1)
	}
	// Columns s: r0[s] (Z14+s), r1[s] (Z20+s) from the six m[i][s].
	// M_ξ, ξ = 6i+s, at m + s*xiStride (in mp, advanced per column) + i*6*xiStride.
	xs6 := R11
	IMUL3Q(U32(6), xs, xs6)
	for s := 0; s < 6; s++ {
		MOVQ(mp, RAX)
		for i := 0; i < 6; i++ {
			VMOVUPS(Mem{Base: RAX}, zmm[i])
			if i < 5 {
				ADDQ(xs6, RAX)
			}
		}
		at(zmm[0:6], zmm[14+s], zmm[20+s])
		ADDQ(xs, mp)
	}
	at(zmm[14:20], Z26, Z27)
	at(zmm[20:26], Z28, Z29)
	Load(Param("bias"), RAX)
	VBROADCASTSS(Mem{Base: RAX}, Z30)
	for k := 26; k < 30; k++ {
		VADDPS(Z30, zmm[k], zmm[k])
	}
	winoStore("winoout6", out, ow, flags, interleave[0], interleave[1])
}
