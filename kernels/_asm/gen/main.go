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

	"github.com/alexnet-go/alexnet/kernels/_asm/internal/avoutil"
	"github.com/alexnet-go/alexnet/kernels/_asm/internal/consts"
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// zmm are the ZMM registers by number.
var zmm = avoutil.ZRegs

// isas are the two ISAs and their tile sizes, shared with
// kernels/simd_consts_amd64.go (genconsts writes it from the same values).
var isas = []struct {
	v avoutil.ISA
	t consts.Tiles
}{{avoutil.AVX512, consts.AVX512Tiles}, {avoutil.AVX2, consts.AVX2Tiles}}

func main() {
	avoutil.Run(gemmKernels, copyRows, winoInput, winoOutput, winoInput6, winoOutput6, dotKernels)
}

// gemmKernels emits the SGEMM micro-kernels of every height m <= MR: with
// A packed and with A raw for both ISAs, then with B at offsets for
// AVX-512.
func gemmKernels() {
	for _, mode := range []aMode{packedA, rawA} {
		for _, is := range isas {
			for m := 1; m <= is.t.MR; m++ {
				gemmKernel(is.v, is.t.MR, m, mode)
			}
		}
	}
	for m := 1; m <= isas[0].t.MR; m++ {
		gemmKernel(isas[0].v, isas[0].t.MR, m, offsetB)
	}
}

// dotKernels emits the dot-product kernels of every size m×n up to
// DotM×DotN for both ISAs.
func dotKernels() {
	for _, is := range isas {
		for m := 1; m <= is.t.DotM; m++ {
			for n := 1; n <= is.t.DotN; n++ {
				dotKernel(is.v, m, n)
			}
		}
	}
}

// aMode is how a gemmKernel addresses its operands.
type aMode int

const (
	packedA aMode = iota // A packed in strips, B rows ldb apart
	rawA                 // A rows lda apart, read in place
	offsetB              // A packed, B rows at a table of offsets
)

// gemmModes names each aMode's kernels and gives their Go signature and
// what their doc comment says they read.
var gemmModes = [...]struct{ infix, sig, what string }{
	packedA: {"Gemm", "func(kc int, a *float32, b *float32, ldb int, c *float32, ldc int, rb, cb *float32, flags int, mask uint32)",
		"a packed strip of A"},
	rawA: {"GemmRaw", "func(kc int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, rb, cb *float32, flags int, mask uint32)",
		"rows of A, lda apart"},
	offsetB: {"GemmOff", "func(kc int, a *float32, b *float32, offs *int32, c *float32, ldc int, rb, cb *float32, flags int, mask uint32)",
		"a packed strip of A and rows of B at offsets"},
}

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
func gemmKernel(v avoutil.ISA, mr, m int, mode aMode) {
	md := gemmModes[mode]
	g := &gemm{v: v, mr: mr, m: m, mode: mode, name: fmt.Sprintf("%s%s%d", v.Name, md.infix, m),
		b0: v.Vec(0), b1: v.Vec(1), x0: v.Vec(2), x1: v.Vec(3)}
	avoutil.Func(g.name, md.sig, fmt.Sprintf("%s computes an %d×%d tile of C from %s (see gemmKernel in kernels/_asm/gen).", g.name, m, 2*v.Lanes, md.what))
	if v.Mask {
		g.k1, g.k2 = K1, K2
	}
	g.init()
	Label(g.name + "_body")
	g.operands()
	g.loop()
	g.store()
}

// gemm is the state of one gemmKernel while it is emitted.
type gemm struct {
	v              avoutil.ISA
	mr, m          int
	mode           aMode
	name           string
	b0, b1, x0, x1 VecPhysical // the two vectors of a row of b; broadcasts of A
	k1, k2         Op          // the column masks of the two vectors (nil: all)
	aElem          func(i, u int) Mem
	advanceA       func(steps int)
}

// Registers of gemmKernel's prologue and epilogue, then of its loop.
var (
	gC, gLdc, gFlags, gRb, gCb = RDX, R8, R11, R9, R10
	gKc, gB, gLdb, gLdb3       = RCX, RDI, R13, R14
)

// acc is the accumulator of row i, vector h of the tile.
func (g *gemm) acc(i, h int) VecPhysical { return g.v.Vec(4 + 2*i + h) }

// init emits the prologue: the masks and the initial value of the
// accumulators, C (flags&1) or the biases rb[i] + cb[j].
func (g *gemm) init() {
	v, vb := g.v, g.v.VecBytes()
	avoutil.Params("c ldc*4 flags", gC, gLdc, gFlags)
	if v.Mask {
		columnMasks()
	}
	TESTQ(U32(1), gFlags)
	JNZ(LabelRef(g.name + "_loadc"))
	avoutil.Params("rb cb", gRb, gCb)
	VMOVUPS(Mem{Base: gCb}, g.b0)
	VMOVUPS(Mem{Base: gCb, Disp: vb}, g.b1)
	for i := 0; i < g.m; i++ {
		VBROADCASTSS(Mem{Base: gRb, Disp: 4 * i}, g.x0)
		VADDPS(g.b0, g.x0, g.acc(i, 0))
		VADDPS(g.b1, g.x0, g.acc(i, 1))
	}
	JMP(LabelRef(g.name + "_body"))
	Label(g.name + "_loadc")
	for i := 0; i < g.m; i++ {
		v.Load(Mem{Base: gC}, g.k1, g.acc(i, 0))
		v.Load(Mem{Base: gC, Disp: vb}, g.k2, g.acc(i, 1))
		ADDQ(gLdc, gC)
	}
}

// quad is row u of a four-row group at base r with stride l (l3 = 3*l).
func quad(r, l, l3 Register, u, disp int) Mem {
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

// operands loads kc and the addresses of b and A, and sets aElem and
// advanceA to address A and step it.
func (g *gemm) operands() {
	avoutil.Params("kc b", gKc, gB)
	if g.mode == offsetB {
		Load(Param("offs"), gLdb) // R13: the offsets; R14, R12: scratch
	} else {
		avoutil.Params("ldb*4", gLdb)
		LEAQ(Mem{Base: gLdb, Index: gLdb, Scale: 2}, gLdb3)
	}
	Load(Param("a"), RSI)
	if g.mode != rawA {
		g.aElem = func(i, u int) Mem { return Mem{Base: RSI, Disp: 4 * (u*g.mr + i)} }
		g.advanceA = func(steps int) { ADDQ(U32(steps*g.mr*4), RSI) }
		return
	}
	// Raw A: rows 4q..4q+3 hang off base q, lda apart.
	bases := []GPPhysical{RSI, R8, R9, R10}
	lda, lda3 := R11, R12
	avoutil.Params("lda*4", lda)
	LEAQ(Mem{Base: lda, Index: lda, Scale: 2}, lda3)
	for q := 1; q*4 < g.m; q++ {
		LEAQ(Mem{Base: bases[q-1], Index: lda, Scale: 4}, bases[q])
	}
	g.aElem = func(i, u int) Mem { return quad(bases[i/4], lda, lda3, i%4, 4*u) }
	g.advanceA = func(steps int) {
		for q := 0; q*4 < g.m; q++ {
			ADDQ(U32(4*steps), bases[q])
		}
	}
}

// step emits step u of the unrolled loop: row u of b times column u of A
// added into every accumulator.
func (g *gemm) step(u int) {
	vb := g.v.VecBytes()
	if g.mode == offsetB {
		row := []GPPhysical{R14, R12}[u%2]
		MOVLQSX(Mem{Base: gLdb, Disp: 4 * u}, row)
		VMOVUPS(Mem{Base: gB, Index: row, Scale: 4}, g.b0)
		VMOVUPS(Mem{Base: gB, Index: row, Scale: 4, Disp: vb}, g.b1)
	} else {
		VMOVUPS(quad(gB, gLdb, gLdb3, u, 0), g.b0)
		VMOVUPS(quad(gB, gLdb, gLdb3, u, vb), g.b1)
	}
	for i := 0; i < g.m; i++ {
		x := g.x0
		if i%2 == 1 {
			x = g.x1
		}
		VBROADCASTSS(g.aElem(i, u), x)
		VFMADD231PS(g.b0, x, g.acc(i, 0))
		VFMADD231PS(g.b1, x, g.acc(i, 1))
	}
}

// loop emits the body: kc steps, unrolled by four, then one at a time.
func (g *gemm) loop() {
	const unroll = 4
	Label(g.name + "_loop4")
	CMPQ(gKc, Imm(unroll))
	JL(LabelRef(g.name + "_tail"))
	for u := 0; u < unroll; u++ {
		g.step(u)
	}
	g.advanceA(unroll)
	if g.mode == offsetB {
		ADDQ(U32(4*unroll), gLdb)
	} else {
		LEAQ(Mem{Base: gB, Index: gLdb, Scale: 4}, gB)
	}
	SUBQ(Imm(unroll), gKc)
	JMP(LabelRef(g.name + "_loop4"))
	Label(g.name + "_tail")
	TESTQ(gKc, gKc)
	JE(LabelRef(g.name + "_store"))
	g.step(0)
	g.advanceA(1)
	if g.mode == offsetB {
		ADDQ(U32(4), gLdb)
	} else {
		ADDQ(gLdb, gB)
	}
	DECQ(gKc)
	JMP(LabelRef(g.name + "_tail"))
}

// store emits the epilogue: ReLU if flags&2, then the tile to c.
func (g *gemm) store() {
	Label(g.name + "_store")
	Load(Param("flags"), gFlags)
	TESTQ(U32(2), gFlags)
	JE(LabelRef(g.name + "_write"))
	VXORPS(g.b0, g.b0, g.b0)
	for i := 0; i < g.m; i++ {
		VMAXPS(g.b0, g.acc(i, 0), g.acc(i, 0))
		VMAXPS(g.b0, g.acc(i, 1), g.acc(i, 1))
	}
	Label(g.name + "_write")
	avoutil.Params("c ldc*4", gC, gLdc)
	for i := 0; i < g.m; i++ {
		g.v.Store(g.acc(i, 0), g.k1, Mem{Base: gC})
		g.v.Store(g.acc(i, 1), g.k2, Mem{Base: gC, Disp: g.v.VecBytes()})
		if i+1 < g.m {
			ADDQ(gLdc, gC)
		}
	}
	avoutil.End()
}

// dotKernel emits the m×n dot-product kernel: m rows of x against n rows
// of w over k floats (k a multiple of lanes; ldx, ldw, ldo in floats),
// added into out:
//
//	for i < m, j < n:
//	    out[i*ldo+j] += Σ_{p < k} x[i*ldx+p] * w[j*ldw+p]
//
// with one vector of lane-wise partial sums per output, added up at the end.
func dotKernel(v avoutil.ISA, m, n int) {
	name := fmt.Sprintf("%sDot%dx%d", v.Name, m, n)
	avoutil.Func(name, "func(k int, x *float32, ldx int, w *float32, ldw int, out *float32, ldo int)",
		fmt.Sprintf("%s adds %d×%d dot products into out (see dotKernel in kernels/_asm/gen).", name, m, n))
	k, ldx, ldw := RCX, R8, R9
	avoutil.Params("k*4 x ldx*4 w ldw*4", k, RSI, ldx, RDI, ldw)
	// Row pointers: x rows in SI, R10-R13, BX; w rows in DI, R14, AX, R15.
	xr := []GPPhysical{RSI, R10, R11, R12, R13, RBX}[:m]
	wr := []GPPhysical{RDI, R14, RAX, R15}[:n]
	for i := 1; i < m; i++ {
		LEAQ(Mem{Base: xr[i-1], Index: ldx, Scale: 1}, xr[i])
	}
	for j := 1; j < n; j++ {
		LEAQ(Mem{Base: wr[j-1], Index: ldw, Scale: 1}, wr[j])
	}
	acc := func(i, j int) VecPhysical { return v.Vec(m + 1 + i*n + j) }
	dotLoop(v, name, k, xr, wr, acc)
	// Add each accumulator's lanes up and into out.
	Label(name + "_done")
	out, ldo := RDX, R8
	avoutil.Params("out ldo*4", out, ldo)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			hsumInto(v, acc(i, j), Mem{Base: out, Disp: 4 * j})
		}
		if i+1 < m {
			ADDQ(ldo, out)
		}
	}
	avoutil.End()
}

// dotLoop emits the loop of dotKernel over k bytes of the rows xr of x and
// wr of w: the lane-wise products of x row i and w row j summed into
// acc(i, j).
func dotLoop(v avoutil.ISA, name string, k GPPhysical, xr, wr []GPPhysical, acc func(i, j int) VecPhysical) {
	m, n := len(xr), len(wr)
	xv := func(i int) VecPhysical { return v.Vec(i) }
	wv := v.Vec(m)
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
	ADDQ(U32(v.VecBytes()), off)
	JMP(LabelRef(name + "_loop"))
}

// hsumInto emits out += the sum of a's lanes (a scalar float at out),
// halving a in place; Y0 is scratch.
func hsumInto(v avoutil.ISA, a VecPhysical, out Mem) {
	ya, xa := a.AsY(), a.AsX()
	if v.Lanes == 16 {
		VEXTRACTF32X8(Imm(1), a, Y0)
		VADDPS(Y0, ya, ya)
		VEXTRACTF32X4(Imm(1), ya, X0) // EVEX: accumulators may be X16-X31
	} else {
		VEXTRACTF128(Imm(1), ya, X0)
	}
	VADDPS(X0, xa, xa)
	VMOVHLPS(xa, X0, X0)
	VADDPS(X0, xa, xa)
	VMOVSHDUP(xa, X0)
	VADDSS(X0, xa, xa)
	VADDSS(out, xa, xa)
	VMOVSS(xa, out)
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
	avoutil.Func("avx512CopyRows", "func(d, src *float32, step, ow, ox, n int)",
		"avx512CopyRows copies n floats of rows of src into d (see copyRows in kernels/_asm/gen).")
	d, s, step, ow, ox, n, cnt, p := RDI, RSI, R8, R9, R10, R11, RCX, R12
	avoutil.Params("d src step*4 ow ox n", d, s, step, ow, ox, n)
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
	avoutil.EndAt("copyrows_done")
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
	v, xs, src, rs, ph, _ := winoInputPrologue("avx512WinoInput", "",
		"avx512WinoInput transforms up to 16 Winograd input tiles (see winoInput in kernels/_asm/gen).")
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
	avoutil.End()
}

// winoInputPrologue starts a Winograd input transform: the function
// header (its signature extended by extra), then v, xiStride, src,
// rowStride and phase (strides in bytes), and tmp where extra has it, in
// registers and the lane mask in K1.
func winoInputPrologue(name, extra, doc string) (v, xs, src, rs, ph, tmp GPPhysical) {
	avoutil.Func(name, "func(v *float32, xiStride int, src *float32, rowStride, phase int, mask uint32"+extra+")", doc)
	v, xs, src, rs, ph, tmp = RDI, R8, RSI, R9, R10, R11
	avoutil.Params("v xiStride*4 src rowStride*4 phase*4", v, xs, src, rs, ph)
	if extra != "" {
		Load(Param("tmp"), tmp)
	}
	Load(Param("mask"), EAX)
	KMOVW(EAX, K1)
	return
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
		interleave[h] = avoutil.Table32(name, 16, func(i int) uint32 { return uint32(8*h + i/2 + 16*(i%2)) })
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
	avoutil.Func(name, "func(m *float32, xiStride int, out *float32, ow int, bias *float32, flags int, mask uint32)", doc)
	mp, xs, out, ow, flags = RSI, R8, RDI, R9, R10
	avoutil.Params("m xiStride*4 out ow*4 flags", mp, xs, out, ow, flags)
	columnMasks()
	return
}

// columnMasks loads the opmasks of the two vectors of a 32-column tile
// from the parameter mask: its low 16 bits into K1, its high ones into K2.
func columnMasks() {
	Load(Param("mask"), EAX)
	KMOVW(EAX, K1)
	SHRL(Imm(16), EAX)
	KMOVW(EAX, K2)
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
	avoutil.EndAt(prefix + "_done")
}

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
	v, xs, src, rs, ph, tmp := winoInputPrologue("avx512WinoInput6", ", tmp *float32",
		"avx512WinoInput6 transforms up to 16 F(2×2, 5×5) input tiles (see winoInput6 in kernels/_asm/gen).")
	for i, c := range []float32{4, -4, -5, 2} {
		avoutil.SplatF32(c, zmm[28+i])
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
	avoutil.End()
}

// winoOutput6 emits avx512WinoOutput6, the F(2×2, 5×5) output transform
// of up to 16 adjacent tiles of one output channel, as winoOutput with 36
// GEMM results per tile and
//
//	Aᵀ = [1 1 1 1 1 0; 0 1 -1 2 -2 1]
func winoOutput6() {
	mp, xs, out, ow, flags := winoOutputPrologue("avx512WinoOutput6", "avx512WinoOutput6 transforms up to 16 F(2×2, 5×5) output tiles (see winoOutput6 in kernels/_asm/gen).")
	avoutil.SplatF32(2, Z31)
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
