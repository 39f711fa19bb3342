// Command genlayout writes kernels/layout_amd64.s and its Go declarations
// with avo: the AVX-512 data-movement kernels of the convolutions' backward
// pass. Run it through go generate in kernels.
//
//   - avx512Transpose16, a 16×16 float32 block transpose in registers
//     behind transposeInto (kernels/transpose.go): the 16 rows are
//     loaded, interleaved by pairs of floats (VUNPCKL/HPS), then by pairs
//     of pairs (VUNPCKL/HPD), and the 128-bit lanes gathered across groups
//     of four rows (two rounds of VSHUFF32X4), giving the 16 columns, each
//     stored as a row of dst.
//   - avx512Im2colRows, the rows of one im2col row block (kernels/im2col.go):
//     a run of each source row copied between zeros, 16 floats at a time
//     under opmasks the caller computes, so that nothing outside the run
//     is read and nothing past each row is written.
package main

import (
	"github.com/alexnet-go/alexnet/kernels/_asm/internal/avoutil"
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

var zmm = avoutil.ZRegs

func main() {
	avoutil.Run(transpose16, im2colRows)
}

// transpose16: dst[t*ldd + r] = src[r*lds + t] for r, t < 16.
func transpose16() {
	avoutil.Func("avx512Transpose16", "func(dst *float32, ldd int, src *float32, lds int)",
		"avx512Transpose16 sets dst[t*ldd + r] = src[r*lds + t] for r, t < 16 (see transposeInto in kernels/transpose.go).")
	dst, ldd, src, lds := RDI, RSI, RDX, RCX
	avoutil.Params("dst ldd src lds", dst, ldd, src, lds)
	SHLQ(Imm(2), ldd)
	SHLQ(Imm(2), lds)
	r, t := zmm[:16], zmm[16:]
	p := RAX
	MOVQ(src, p)
	for i := range 16 {
		VMOVUPS(Mem{Base: p}, r[i])
		if i < 15 {
			ADDQ(lds, p)
		}
	}
	for g := range 4 {
		a, b, c, d := r[4*g], r[4*g+1], r[4*g+2], r[4*g+3]
		VUNPCKLPS(b, a, t[4*g])   // a0 b0 a1 b1 | a4 b4 a5 b5 | ...
		VUNPCKHPS(b, a, t[4*g+1]) // a2 b2 a3 b3 | ...
		VUNPCKLPS(d, c, t[4*g+2])
		VUNPCKHPS(d, c, t[4*g+3])
	}
	u := func(g, j int) VecPhysical { return r[4*g+j] }
	for g := range 4 {
		VUNPCKLPD(t[4*g+2], t[4*g], u(g, 0))   // a0 b0 c0 d0 | a4 b4 c4 d4 | ...
		VUNPCKHPD(t[4*g+2], t[4*g], u(g, 1))   // column 1 (5, 9, 13)
		VUNPCKLPD(t[4*g+3], t[4*g+1], u(g, 2)) // column 2
		VUNPCKHPD(t[4*g+3], t[4*g+1], u(g, 3)) // column 3
	}
	// Column c = 4L + j is lane L of u(0, j), u(1, j), u(2, j), u(3, j).
	x, y, z, w, col := t[0], t[1], t[2], t[3], t[4]
	store := func(c int, v VecPhysical) {
		MOVQ(U32(c), p)
		IMULQ(ldd, p)
		VMOVUPS(v, Mem{Base: dst, Index: p, Scale: 1})
	}
	for j := range 4 {
		VSHUFF32X4(Imm(0x88), u(1, j), u(0, j), x) // u0.l0 u0.l2 u1.l0 u1.l2
		VSHUFF32X4(Imm(0xdd), u(1, j), u(0, j), y) // u0.l1 u0.l3 u1.l1 u1.l3
		VSHUFF32X4(Imm(0x88), u(3, j), u(2, j), z)
		VSHUFF32X4(Imm(0xdd), u(3, j), u(2, j), w)
		VSHUFF32X4(Imm(0x88), z, x, col)
		store(j, col)
		VSHUFF32X4(Imm(0xdd), z, x, col)
		store(j+8, col)
		VSHUFF32X4(Imm(0x88), w, y, col)
		store(j+4, col)
		VSHUFF32X4(Imm(0xdd), w, y, col)
		store(j+12, col)
	}
	avoutil.End()
}

// im2colRows: for r < rows and x < ow (chunks = ceil(ow/16) ≤ 8 vectors a
// row), with masks[2k] the lanes of chunk k in [lo, hi) and masks[2k+1]
// those below ow,
//
//	dst[r*ow + x] = src[r*lds + x - lo]   for lo <= x < hi
//	dst[r*ow + x] = 0                     elsewhere
func im2colRows() {
	avoutil.Func("avx512Im2colRows", "func(dst, src *float32, lds, rows, ow, lo, chunks int, masks *[16]uint16)",
		"avx512Im2colRows sets dst[r*ow + x] = src[r*lds + x - lo] where masks[2k] has lane x-16k, else 0 where masks[2k+1] has it, for r < rows and x < 16*chunks (see im2colRows in kernels/im2col.go).")
	dst, src, lds, rows, ow, chunks, masks := RDI, RSI, RDX, R8, R9, R10, R11
	avoutil.Params("dst src lds rows ow chunks masks lo", dst, src, lds, rows, ow, chunks, masks, RAX)
	SHLQ(Imm(2), RAX)
	SUBQ(RAX, src) // lane x of chunk k reads src + 4*(16k + x): x - lo past the run's start
	SHLQ(Imm(2), lds)
	SHLQ(Imm(2), ow)
	TESTQ(rows, rows)
	JLE(LabelRef("rows_done"))
	Label("rows_row")
	XORQ(RCX, RCX) // chunk
	MOVQ(masks, RAX)
	MOVQ(src, RBX)
	MOVQ(dst, R12)
	Label("rows_chunk")
	KMOVW(Mem{Base: RAX}, K1)
	KMOVW(Mem{Base: RAX, Disp: 2}, K2)
	VMOVUPS_Z(Mem{Base: RBX}, K1, Z0)
	VMOVUPS(Z0, K2, Mem{Base: R12})
	ADDQ(Imm(4), RAX)
	ADDQ(Imm(64), RBX)
	ADDQ(Imm(64), R12)
	INCQ(RCX)
	CMPQ(RCX, chunks)
	JL(LabelRef("rows_chunk"))
	ADDQ(lds, src)
	ADDQ(ow, dst)
	DECQ(rows)
	JNZ(LabelRef("rows_row"))
	avoutil.EndAt("rows_done")
}
