// Command genjpeg writes imageproc/jpeg/simd_amd64.s and its Go
// declarations with avo: the AVX2 kernels of the JPEG decoder's per-block
// and per-pixel stages, the islow inverse DCT, YCbCr->RGB conversion and
// fancy upsampling. Run it through go generate in imageproc/jpeg.
//
// Every kernel computes exactly, bit for bit, the portable Go loop that its
// doc comment names in imageproc/jpeg; the conformance tests there compare
// the two on random and extreme inputs.
package main

import (
	"fmt"

	"github.com/alexnet-go/alexnet/kernels/_asm/internal/avoutil"
	"github.com/alexnet-go/alexnet/kernels/_asm/internal/consts"
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

var ymm, xmm = avoutil.YRegs, avoutil.XRegs

// x is the XMM register under the YMM register y.
func x(y VecPhysical) VecPhysical {
	for i, r := range ymm {
		if r == y {
			return xmm[i]
		}
	}
	panic("not a YMM register")
}

func main() {
	avoutil.Run(idct, func() { ycc(false) }, func() { ycc(true) }, func() { upsample(true) }, func() { upsample(false) })
}

// vecConsts holds the 32-byte constant vectors, by name.
var vecConsts = map[string]Mem{}

// vecConst returns the 32-byte constant name, emitting it the first time
// as n lanes of size bytes each, lane i from datum(i).
func vecConst(name string, n, size int, datum func(i int) Constant) Mem {
	if m, ok := vecConsts[name]; ok {
		return m
	}
	m := GLOBL(name, RODATA|NOPTR)
	for i := 0; i < n; i++ {
		DATA(size*i, datum(i))
	}
	vecConsts[name] = m
	return m
}

// dwords returns a 32-byte constant of 8 int32 lanes (one value repeated
// when len(v) is 1).
func dwords(name string, v ...int32) Mem {
	return vecConst(name, 8, 4, func(i int) Constant { return U32(uint32(v[i%len(v)])) })
}

// words returns a 32-byte constant of 16 int16 lanes (one value repeated
// when len(v) is 1).
func words(name string, v ...int16) Mem {
	return vecConst(name, 16, 2, func(i int) Constant { return U16(uint16(v[i%len(v)])) })
}

// bytes32 returns a 32-byte constant of 32 bytes.
func bytes32(name string, v []byte) Mem {
	return vecConst(name, 32, 1, func(i int) Constant { return U8(v[i]) })
}

// fix returns the constant vector of an islow IDCT multiplier.
func fix(v int32) Mem {
	if v < 0 {
		return dwords(fmt.Sprintf("jpegFixM%d", -v), v)
	}
	return dwords(fmt.Sprintf("jpegFix%d", v), v)
}

// idct emits avx2IDCT, idctGo of imageproc/jpeg (see its doc comment for
// the loop) on one block.
//
// Both passes run in 32-bit lanes, one register per input row (pass 1,
// lanes are columns) or input column (pass 2, lanes are rows). Every
// product and sum of idct1D is exact in 32 bits: its inputs are 16-bit
// values, and the largest sum it shifts, tmp11+tmp2 with the rounding
// constant, is below 32768*64570 + 2^17 < 2^31 (the wrapped terms taken as
// free 16-bit values), so the wrap-around of VPADDD and VPMULLD in partial
// sums cancels. wrap16 is VPSLLD 16 then VPSRAD 16 (wrap16(x) << 13 is
// VPSLLD 16, VPSRAD 3). Between and after the passes the 8 row registers
// are packed to 16-bit words with VPACKSSDW, which is the workspace's
// sat16, and transposed as words; pass 2's output, within [-8192, 8192],
// gets its +128 as words and its clamp to [0, 255] from VPACKUSWB.
//
// Blocks whose AC rows 1-7 are zero take pass 1's shortcut,
// wrap16(wrap16(coef*q) << 2) in every row (VPSLLW 2), and those whose 63
// AC coefficients are all zero a scalar path that fills the block with
// clamp8(descale(wrap16(coef*q << 2), 5) + 128), what both passes give.
func idct() {
	avoutil.Func("avx2IDCT", "func(b *[64]int16, q *[64]int16, dst *byte, stride int)",
		"avx2IDCT is idctGo: the islow inverse DCT of block b dequantised by q, to 8 rows of 8 bytes at dst, stride apart (see idct in kernels/_asm/genjpeg).")
	avoutil.Params("b q dst stride", idctB, idctQ, idctDst, idctStride)

	// Raw coefficients, two rows per register.
	for i := 0; i < 4; i++ {
		VMOVDQU(Mem{Base: idctB, Disp: 32 * i}, ymm[i])
	}
	VPOR(Y2, Y1, Y4)
	VPOR(Y3, Y4, Y4)
	VEXTRACTI128(Imm(1), Y0, X5)
	VPOR(Y5, Y4, Y4)
	VPTEST(Y4, Y4)
	JE(LabelRef("idct_row0"))
	idctPass1()
	idctPass2()
	idctRow0()
	idctDC()
}

// Registers of idct: the parameters, and 3*stride.
var idctB, idctQ, idctDst, idctStride, idctS3 = RSI, RDI, RDX, RCX, R8

// idctA are the registers of the workspace between the passes, packed to
// words: A..D = rows (0,1), (2,3)... (see transpose).
var idctA = ymm[4:8]

// idctPass1 emits the dequantisation (16-bit multiply: wrap16(coef*q)) of
// the coefficients in Y0-Y3, the first pass and its sat16 into idctA.
func idctPass1() {
	rows := ymm[8:]
	for i := 0; i < 4; i++ {
		VPMULLW(Mem{Base: idctQ, Disp: 32 * i}, ymm[i], ymm[i])
		VPMOVSXWD(x(ymm[i]), rows[2*i])
		VEXTRACTI128(Imm(1), ymm[i], x(ymm[i]))
		VPMOVSXWD(x(ymm[i]), rows[2*i+1])
	}
	var in [8]VecPhysical
	copy(in[:], rows)
	out := pass(in, ymm[0:4], consts.ConstBits-consts.Pass1Bits)
	for i := 0; i < 4; i++ {
		VPACKSSDW(out[2*i+1], out[2*i], idctA[i])
	}
}

// idctPass2 emits, from label idct_pass2, the transposition of the
// workspace in idctA, the second pass, the +128 and clamp, and the store
// of the 8 rows; then the return.
func idctPass2() {
	Label("idct_pass2")
	a, rows := idctA, ymm[8:]
	m := transpose(a, ymm[8:12], ymm[12:16], ymm[0:4])
	// Columns k and k+4 of the workspace, widened: pass 2's inputs.
	for k := 0; k < 4; k++ {
		VPMOVSXWD(x(m[k]), rows[k])
		VEXTRACTI128(Imm(1), m[k], x(m[k]))
		VPMOVSXWD(x(m[k]), rows[k+4])
	}
	var in [8]VecPhysical
	copy(in[:], rows)
	out := pass(in, ymm[0:4], consts.ConstBits+consts.Pass1Bits+3)
	for i := 0; i < 4; i++ {
		VPACKSSDW(out[2*i+1], out[2*i], a[i])
	}
	m = transpose(a, ymm[8:12], ymm[12:16], ymm[0:4]) // m[k]: output rows k, k+4
	c128 := words("jpegW128", 128)
	for k := 0; k < 4; k++ {
		VPADDW(c128, m[k], m[k])
	}
	VPACKUSWB(m[1], m[0], Y4) // rows 0, 1 | 4, 5
	VPACKUSWB(m[3], m[2], Y5) // rows 2, 3 | 6, 7
	dst, stride, s3 := idctDst, idctStride, idctS3
	LEAQ(Mem{Base: stride, Index: stride, Scale: 2}, s3)
	store4 := func(r01, r23 VecPhysical) {
		VMOVQ(x(r01), Mem{Base: dst})
		VPEXTRQ(Imm(1), x(r01), Mem{Base: dst, Index: stride, Scale: 1})
		VMOVQ(x(r23), Mem{Base: dst, Index: stride, Scale: 2})
		VPEXTRQ(Imm(1), x(r23), Mem{Base: dst, Index: s3, Scale: 1})
	}
	store4(Y4, Y5)
	VEXTRACTI128(Imm(1), Y4, X4)
	VEXTRACTI128(Imm(1), Y5, X5)
	LEAQ(Mem{Base: dst, Index: stride, Scale: 4}, dst)
	store4(Y4, Y5)
	avoutil.End()
}

// idctRow0 emits, from label idct_row0, the shortcut of a block whose rows
// 1-7 are zero: every workspace row is wrap16(wrap16(coef*q) << 2) of row
// 0, which the transposition takes as A = B = C = D = row 0's columns 0-3
// twice | columns 4-7 twice.
func idctRow0() {
	Label("idct_row0")
	VPTEST(words("jpegAC0", 0, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0), Y0)
	JE(LabelRef("idct_dc"))
	VPMULLW(Mem{Base: idctQ}, Y0, Y0)
	VPSLLW(Imm(consts.Pass1Bits), Y0, Y0)
	VPERMQ(Imm(0x50), Y0, idctA[0]) // qwords 0, 0, 1, 1
	for i := 1; i < 4; i++ {
		VMOVDQA(idctA[0], idctA[i])
	}
	JMP(LabelRef("idct_pass2"))
}

// idctDC emits, from label idct_dc, the block whose only nonzero
// coefficient is DC: the whole block is one value.
func idctDC() {
	const shift = consts.Pass1Bits + 3
	dst, stride, s3 := idctDst, idctStride, idctS3
	Label("idct_dc")
	MOVWLSX(Mem{Base: idctB}, EAX)
	MOVWLSX(Mem{Base: idctQ}, EBX)
	IMULL(EBX, EAX)
	SHLL(Imm(consts.Pass1Bits), EAX)
	MOVWLSX(AX, EAX)
	ADDL(U32(1<<(shift-1)+128<<shift), EAX) // descale, plus 128 (exact: |EAX| < 2^15)
	SARL(Imm(shift), EAX)
	XORL(EBX, EBX)
	TESTL(EAX, EAX)
	CMOVLLT(EBX, EAX)
	MOVL(U32(255), EBX)
	CMPL(EAX, EBX)
	CMOVLGT(EBX, EAX)
	MOVQ(U64(0x0101010101010101), RBX)
	IMULQ(RBX, RAX)
	LEAQ(Mem{Base: stride, Index: stride, Scale: 2}, s3)
	for h := 0; h < 2; h++ {
		MOVQ(RAX, Mem{Base: dst})
		MOVQ(RAX, Mem{Base: dst, Index: stride, Scale: 1})
		MOVQ(RAX, Mem{Base: dst, Index: stride, Scale: 2})
		MOVQ(RAX, Mem{Base: dst, Index: s3, Scale: 1})
		if h == 0 {
			LEAQ(Mem{Base: dst, Index: stride, Scale: 4}, dst)
		}
	}
	avoutil.End()
}

// pass emits one 8-point pass of idct1D over the 8 lanes of in (16-bit
// values in 32-bit lanes), descaled by shift (rounding half up), using the
// 4 scratch registers t. It returns the registers of out[0..7]; in's
// registers are overwritten.
func pass(in [8]VecPhysical, t []VecPhysical, shift uint64) [8]VecPhysical {
	rnd := dwords(fmt.Sprintf("jpegRound%d", shift), 1<<(shift-1))
	t0, t1, t2, t3 := t[0], t[1], t[2], t[3]
	// Even part.
	VPADDD(in[6], in[2], t0)
	VPMULLD(fix(consts.Fix0_541196100), t0, t0) // z1
	VPMULLD(fix(-consts.Fix1_847759065), in[6], in[6])
	VPADDD(t0, in[6], in[6]) // tmp2
	VPMULLD(fix(consts.Fix0_765366865), in[2], in[2])
	VPADDD(t0, in[2], in[2]) // tmp3
	VPADDD(in[4], in[0], t0)
	VPSUBD(in[4], in[0], in[4])
	for _, r := range []VecPhysical{t0, in[4]} {
		VPSLLD(Imm(16), r, r)
		VPSRAD(Imm(16-consts.ConstBits), r, r) // wrap16(.) << CONST_BITS
		VPADDD(rnd, r, r)                      // the descale rounding, added once to tmp0, tmp1
	}
	VPADDD(in[2], t0, in[0])    // tmp10
	VPSUBD(in[2], t0, in[2])    // tmp13
	VPADDD(in[6], in[4], t0)    // tmp11
	VPSUBD(in[6], in[4], in[6]) // tmp12
	tmp10, tmp11, tmp12, tmp13 := in[0], t0, in[6], in[2]

	// Odd part.
	a := in[4]
	VPADDD(in[3], in[7], a)
	VPADDD(in[1], in[5], t1)
	for _, r := range []VecPhysical{a, t1} {
		VPSLLD(Imm(16), r, r)
		VPSRAD(Imm(16), r, r)
	}
	VPADDD(t1, a, t2)
	VPMULLD(fix(consts.Fix1_175875602), t2, t2) // z5
	VPMULLD(fix(-consts.Fix1_961570560), a, a)
	VPADDD(t2, a, a) // z3
	VPMULLD(fix(-consts.Fix0_390180644), t1, t1)
	VPADDD(t2, t1, t1) // z4
	VPADDD(in[1], in[7], t2)
	VPMULLD(fix(-consts.Fix0_899976223), t2, t2) // z1
	VPADDD(in[3], in[5], t3)
	VPMULLD(fix(-consts.Fix2_562915447), t3, t3) // z2
	for _, o := range []struct {
		r    VecPhysical
		c    int32
		z, w VecPhysical
	}{
		{in[7], consts.Fix0_298631336, t2, a},  // tmp0 = in7*c + z1 + z3
		{in[5], consts.Fix2_053119869, t3, t1}, // tmp1 = in5*c + z2 + z4
		{in[3], consts.Fix3_072711026, t3, a},  // tmp2 = in3*c + z2 + z3
		{in[1], consts.Fix1_501321110, t2, t1}, // tmp3 = in1*c + z1 + z4
	} {
		VPMULLD(fix(o.c), o.r, o.r)
		VPADDD(o.z, o.r, o.r)
		VPADDD(o.w, o.r, o.r)
	}
	tmp0, tmp1, tmp2, tmp3 := in[7], in[5], in[3], in[1]

	var out [8]VecPhysical
	for i, p := range []struct{ e, o, sum VecPhysical }{
		{tmp10, tmp3, t1}, {tmp11, tmp2, t2}, {tmp12, tmp1, t3}, {tmp13, tmp0, a},
	} {
		VPADDD(p.o, p.e, p.sum)
		VPSUBD(p.o, p.e, p.o)
		VPSRAD(Imm(shift), p.sum, p.sum)
		VPSRAD(Imm(shift), p.o, p.o)
		out[i], out[7-i] = p.sum, p.o
	}
	return out
}

// transpose emits the transposition of an 8x8 matrix of words held as
// a[i] = rows 2i, 2i+1 of columns 0-3 | rows 2i, 2i+1 of columns 4-7 (what
// VPACKSSDW of rows 2i and 2i+1 gives), into m[k] = column k | column k+4,
// each as 8 words in row order. t and u are scratch registers; m may be
// either of them or a.
func transpose(a, t, u, m []VecPhysical) []VecPhysical {
	// t: rows (0,2), (1,3), (4,6), (5,7) interleaved; then u: rows 0-3 of
	// columns (0,1), (2,3); rows 4-7 of columns (0,1), (2,3).
	for _, p := range [][2][]VecPhysical{{a, t}, {t, u}} {
		src, dst := p[0], p[1]
		for i := 0; i < 4; i += 2 {
			VPUNPCKLWD(src[i+1], src[i], dst[i])
			VPUNPCKHWD(src[i+1], src[i], dst[i+1])
		}
	}
	VPUNPCKLQDQ(u[2], u[0], m[0])
	VPUNPCKHQDQ(u[2], u[0], m[1])
	VPUNPCKLQDQ(u[3], u[1], m[2])
	VPUNPCKHQDQ(u[3], u[1], m[3])
	return m
}

// ycc emits avx2YCC (rgba false) or avx2YCCRGBA, yccRowRGB or yccRow of
// imageproc/jpeg on n pixels, n a multiple of 8:
//
//	for i < n:
//	    Y, b, r := int32(y[i]), int32(cb[i])-128, int32(cr[i])-128
//	    R = clamp(Y + (91881*r+32768)>>16)
//	    G = clamp(Y + (-22554*b+32768-46802*r)>>16)
//	    B = clamp(Y + (116130*b+32768)>>16)
//	    dst[3i:3i+3] = R, G, B     (rgba: dst[4i:4i+4] = R, G, B, 255)
//
// in 32-bit lanes, 8 pixels a step; VPACKSSDW and VPACKUSWB clamp.
func ycc(rgba bool) {
	name, px := "avx2YCC", 3
	doc := "avx2YCC is yccRowRGB: YCbCr to packed RGB, n a multiple of 8 (see ycc in kernels/_asm/genjpeg)."
	if rgba {
		name, px = "avx2YCCRGBA", 4
		doc = "avx2YCCRGBA is yccRow: YCbCr to RGBA with A = 255, n a multiple of 8 (see ycc in kernels/_asm/genjpeg)."
	}
	avoutil.Func(name, "func(dst, y, cb, cr *byte, n int)", doc)
	dst, yp, cbp, crp, n := RDI, RSI, RDX, RCX, RBX
	avoutil.Params("dst y cb cr n", dst, yp, cbp, crp, n)
	yccConsts(rgba, px)
	l := name + "_loop"
	Label(l)
	CMPQ(n, Imm(8))
	JL(LabelRef(name + "_done"))
	VPMOVZXBD(Mem{Base: yp}, yccY)
	VPMOVZXBD(Mem{Base: cbp}, yccB)
	VPMOVZXBD(Mem{Base: crp}, yccR)
	yccPixels()
	if rgba {
		VMOVDQU(yccR, Mem{Base: dst})
	} else {
		VPERMD(yccR, yccPerm, yccR) // 24 packed bytes
		VMOVDQU(x(yccR), Mem{Base: dst})
		VEXTRACTI128(Imm(1), yccR, x(yccR))
		VMOVQ(x(yccR), Mem{Base: dst, Disp: 16})
	}
	ADDQ(Imm(8), yp)
	ADDQ(Imm(8), cbp)
	ADDQ(Imm(8), crp)
	ADDQ(Imm(uint64(8*px)), dst)
	SUBQ(Imm(8), n)
	JMP(LabelRef(l))
	avoutil.EndAt(name + "_done")
}

// Vector registers of ycc: the constants, then the pixels (Y, Cb, Cr,
// then R; two scratch vectors).
var (
	yccC128, yccHalf, yccAlpha            = Y8, Y9, Y10
	yccCR, yccCGb, yccCGr, yccCB, yccShuf = Y11, Y12, Y13, Y14, Y15
	yccPerm                               = Y7
	yccY, yccB, yccR, yccT, yccU          = Y0, Y1, Y2, Y3, Y4
)

// yccConsts loads the constants of ycc for px bytes a pixel (rgba: 4).
func yccConsts(rgba bool, px int) {
	VMOVDQU(dwords("jpegD128", 128), yccC128)
	VMOVDQU(dwords("jpegHalf16", 1<<15), yccHalf)
	VMOVDQU(dwords("jpegD255", 255), yccAlpha)
	VMOVDQU(dwords("jpegYccR", consts.YccCrR), yccCR)
	VMOVDQU(dwords("jpegYccGb", consts.YccCbG), yccCGb)
	VMOVDQU(dwords("jpegYccGr", consts.YccCrG), yccCGr)
	VMOVDQU(dwords("jpegYccB", consts.YccCbB), yccCB)
	// After the packs each 128-bit lane holds R0-3 G0-3 B0-3 A0-3.
	var sh [32]byte
	for l := 0; l < 2; l++ {
		for i := 0; i < 16; i++ {
			sh[16*l+i] = 0x80
		}
		for p := 0; p < 4; p++ {
			for c := 0; c < px; c++ {
				sh[16*l+px*p+c] = byte(4*c + p)
			}
		}
	}
	if rgba {
		VMOVDQU(bytes32("jpegShufRGBA", sh[:]), yccShuf)
	} else {
		VMOVDQU(bytes32("jpegShufRGB", sh[:]), yccShuf)
		VMOVDQU(dwords("jpegPermRGB", 0, 1, 2, 4, 5, 6, 3, 7), yccPerm)
	}
}

// yccPixels emits the conversion of the 8 pixels in yccY, yccB, yccR (Cb
// and Cr not yet centred) to R0-3 G0-3 B0-3 A0-3 | R4-7 ... bytes in
// yccR, shuffled by yccShuf.
func yccPixels() {
	Y_, B_, R_, t, u := yccY, yccB, yccR, yccT, yccU
	VPSUBD(yccC128, B_, B_)
	VPSUBD(yccC128, R_, R_)
	// G
	VPMULLD(yccCGb, B_, t)
	VPMULLD(yccCGr, R_, u)
	VPADDD(u, t, t)
	VPADDD(yccHalf, t, t)
	VPSRAD(Imm(16), t, t)
	VPADDD(Y_, t, t)
	// R, B
	for _, c := range []struct{ v, k VecPhysical }{{R_, yccCR}, {B_, yccCB}} {
		VPMULLD(c.k, c.v, c.v)
		VPADDD(yccHalf, c.v, c.v)
		VPSRAD(Imm(16), c.v, c.v)
		VPADDD(Y_, c.v, c.v)
	}
	VPACKSSDW(t, R_, R_)        // R0-3 G0-3 | R4-7 G4-7
	VPACKSSDW(yccAlpha, B_, B_) // B0-3 A0-3 | B4-7 A4-7
	VPACKUSWB(B_, R_, R_)       // R0-3 G0-3 B0-3 A0-3 | R4-7 ...
	VPSHUFB(yccShuf, R_, R_)
}

// upsample emits avx2H2V2 (two true) or avx2H2V1, the interior of
// h2v2Fancy or h2v1Fancy of imageproc/jpeg on n input samples, n a
// multiple of 16, reading in[-1..n] (and nb[-1..n]):
//
//	h2v2: s(j) = 3*in[j] + nb[j]
//	      out[2i] = (3*s(i) + s(i-1) + 8) >> 4, out[2i+1] = (3*s(i) + s(i+1) + 7) >> 4
//	h2v1: out[2i] = (3*in[i] + in[i-1] + 1) >> 2, out[2i+1] = (3*in[i] + in[i+1] + 2) >> 2
//
// in 16-bit lanes, 16 input samples a step.
func upsample(two bool) {
	name := "avx2H2V1"
	sig := "func(in, out *byte, n int)"
	doc := "avx2H2V1 is the interior of h2v1Fancy: out[2i], out[2i+1] for i < n from in[i-1..i+1], n a multiple of 16 (see upsample in kernels/_asm/genjpeg)."
	if two {
		name = "avx2H2V2"
		sig = "func(in, nb, out *byte, n int)"
		doc = "avx2H2V2 is the interior of h2v2Fancy: out[2i], out[2i+1] for i < n from in[i-1..i+1] and nb[i-1..i+1], n a multiple of 16 (see upsample in kernels/_asm/genjpeg)."
	}
	avoutil.Func(name, sig, doc)
	in, nb, out, n := RSI, RDX, RDI, RCX
	Load(Param("in"), in)
	if two {
		Load(Param("nb"), nb)
	}
	avoutil.Params("out n", out, n)
	be, bo, shift := words("jpegW1", 1), words("jpegW2", 2), uint64(2)
	if two {
		be, bo, shift = words("jpegW8", 8), words("jpegW7", 7), 4
	}
	// s loads s(j) for the 16 samples from disp into dst (t scratch).
	s := func(disp int, dst, t VecPhysical) {
		VPMOVZXBW(Mem{Base: in, Disp: disp}, dst)
		if two {
			VPMOVZXBW(Mem{Base: nb, Disp: disp}, t)
			VPADDW(dst, t, t)
			VPADDW(dst, dst, dst)
			VPADDW(t, dst, dst)
		}
	}
	cur, prev, next, t := Y0, Y1, Y2, Y3
	l := name + "_loop"
	Label(l)
	CMPQ(n, Imm(16))
	JL(LabelRef(name + "_done"))
	s(0, cur, t)
	s(-1, prev, t)
	s(1, next, t)
	VPADDW(cur, cur, t)
	VPADDW(t, cur, cur) // 3*s(i)
	VPADDW(cur, prev, prev)
	VPADDW(be, prev, prev)
	VPSRLW(Imm(shift), prev, prev)
	VPADDW(cur, next, next)
	VPADDW(bo, next, next)
	VPSRLW(Imm(shift), next, next)
	VPSLLW(Imm(8), next, next)
	VPOR(next, prev, prev)
	VMOVDQU(prev, Mem{Base: out})
	ADDQ(Imm(16), in)
	if two {
		ADDQ(Imm(16), nb)
	}
	ADDQ(Imm(32), out)
	SUBQ(Imm(16), n)
	JMP(LabelRef(l))
	avoutil.EndAt(name + "_done")
}
