// Command genresize writes imageproc/resize_amd64.s and its Go
// declarations with avo: the AVX2 row kernels of Pillow's fixed-point
// resampling (imageproc/resizecrop.go). Run it through go generate in
// imageproc.
//
// Both compute, 8 output bytes at a time,
//
//	dst[o] = clip8(1<<21 + Σ_j src_j(o) * w_j(o)),  clip8(v) = clamp(v >> 22, 0, 255)
//
// in 32-bit lanes, which is exact: the weights of a triangle filter are
// non-negative and sum to about 1<<22, so no sum leaves int32 and the
// order of the additions does not matter. The clamp is VPACKSSDW then
// VPACKUSWB, the same as clamping the shifted sum, which lies in
// [-512, 511].
package main

import (
	"github.com/alexnet-go/alexnet/kernels/_asm/internal/avoutil"
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

func main() {
	avoutil.Run(vertical, horizontal)
}

// splat fills every dword of y with v, through EAX and x (y's low half).
func splat(v uint32, x, y VecPhysical) {
	MOVL(U32(v), EAX)
	MOVD(EAX, x)
	VPBROADCASTD(x, y)
}

// pack8 turns the 8 int32 sums in acc into clip8 bytes stored at dst.
func pack8(acc VecPhysical, dst Mem) {
	VPSRAD(Imm(22), acc, acc)
	VPACKSSDW(acc, acc, acc) // words: s0-3 s0-3 | s4-7 s4-7
	VPACKUSWB(acc, acc, acc) // bytes: s0-3 x4 | s4-7 x4
	VEXTRACTI128(Imm(1), acc, X14)
	lo := acc.AsX()
	VPUNPCKLDQ(X14, lo, lo) // s0-3 s4-7
	VMOVQ(lo, dst)
}

// vertical: dst[i] = clip8(1<<21 + Σ_{j<4} rows[j][i]*k[j]) for i < n, n a
// multiple of 8.
func vertical() {
	avoutil.Func("resizeVert4AVX2", "func(dst *uint8, rows *[4]*uint8, k *[4]int32, n int)",
		"resizeVert4AVX2 computes dst[i] = clip8(1<<21 + Σ_{j<4} rows[j][i]*k[j]) for i < n, n a multiple of 8 (see vrow in imageproc/resizecrop.go).")
	dst, rp, kp, n := RDI, RSI, RDX, RCX
	r := []GPPhysical{R8, R9, R10, R11}
	avoutil.Params("dst rows k n", dst, rp, kp, n)
	for j := range r {
		MOVQ(Mem{Base: rp, Disp: 8 * j}, r[j])
		VPBROADCASTD(Mem{Base: kp, Disp: 4 * j}, []VecPhysical{Y8, Y9, Y10, Y11}[j])
	}
	splat(1<<21, X12, Y12)
	XORQ(RBX, RBX)
	Label("vert_loop")
	CMPQ(RBX, n)
	JGE(LabelRef("vert_done"))
	VMOVDQU(Y12, Y0)
	for j := range r {
		VPMOVZXBD(Mem{Base: r[j], Index: RBX, Scale: 1}, Y1)
		VPMULLD([]VecPhysical{Y8, Y9, Y10, Y11}[j], Y1, Y1)
		VPADDD(Y1, Y0, Y0)
	}
	pack8(Y0, Mem{Base: dst, Index: RBX, Scale: 1})
	ADDQ(Imm(8), RBX)
	JMP(LabelRef("vert_loop"))
	avoutil.EndAt("vert_done")
}

// horizontal: for each chunk c < chunks of 8 output bytes, tab holds the
// 8 byte offsets idx into src, then taps groups of 8 weights:
//
//	dst[8c+l] = clip8(1<<21 + Σ_{j<taps} src[idx[l]+3j] * w[j][l])
//
// reading the 4 bytes at each src[idx[l]+3j] (a dword gather), so src must
// have 3 readable bytes past the last one used.
func horizontal() {
	avoutil.Func("resizeHorzAVX2", "func(dst *uint8, src *uint8, tab *int32, chunks int, taps int)",
		"resizeHorzAVX2 computes, for each chunk c of 8 output bytes with tab holding 8 offsets idx then taps groups of 8 weights w, dst[8c+l] = clip8(1<<21 + Σ_j src[idx[l]+3j]*w[j][l]) (see hrowTable in imageproc/resizecrop.go).")
	dst, src, tab, chunks, taps := RDI, RSI, RDX, RCX, R8
	avoutil.Params("dst src tab chunks taps", dst, src, tab, chunks, taps)
	splat(1<<21, X12, Y12)
	splat(0xff, X13, Y13)
	Label("horz_chunk")
	TESTQ(chunks, chunks)
	JZ(LabelRef("horz_done"))
	VMOVDQU(Mem{Base: tab}, Y2) // idx
	ADDQ(Imm(32), tab)
	VMOVDQU(Y12, Y0)
	MOVQ(src, R9) // src + 3j
	MOVQ(taps, R10)
	Label("horz_tap")
	VPCMPEQD(Y3, Y3, Y3) // gather mask: all lanes
	VPXOR(Y1, Y1, Y1)
	VPGATHERDD(Y3, Mem{Base: R9, Index: Y2, Scale: 1}, Y1)
	VPAND(Y13, Y1, Y1)
	VPMULLD(Mem{Base: tab}, Y1, Y1)
	VPADDD(Y1, Y0, Y0)
	ADDQ(Imm(32), tab)
	ADDQ(Imm(3), R9)
	DECQ(R10)
	JNZ(LabelRef("horz_tap"))
	pack8(Y0, Mem{Base: dst})
	ADDQ(Imm(8), dst)
	DECQ(chunks)
	JMP(LabelRef("horz_chunk"))
	avoutil.EndAt("horz_done")
}
