package main

import (
	"github.com/alexnet-go/alexnet/kernels/_asm/internal/avoutil"
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// VCMPPS predicates.
const (
	cmpEqOQ  = 0x00
	cmpUnord = 0x03
)

// argmax writes avx512PoolArgmax, the window search of MaxPool2d's
// backward for one row of windows without padding: for o < n,
//
//	idx[o] = the offset i*ldx + o*sw + j of the first (i, j) in row-major
//	         order over i < kh, j < kw with x[offset] == y[o]; where y[o]
//	         is NaN, that of the last NaN; -1 where there is none
//
// which is the position MaxPool2dNaive's scan (`if v > m || v != v`)
// settles on when y[o] is that window's maximum. Sixteen windows at a time:
// the candidates of each (i, j) are gathered (VGATHERDPS), the last vector
// under an opmask of n%16 lanes, so that nothing outside the windows of
// the n outputs is read.
func argmax() {
	avoutil.Func("avx512PoolArgmax", "func(x *float32, ldx int, y *float32, n, kh, kw, sw int, idx *int32)",
		"avx512PoolArgmax sets idx[o], o < n, to the offset of the first maximum y[o] (the last NaN where y[o] is NaN, -1 if none) of window o, kh×kw at column o*sw of rows ldx apart in x (see argmax in kernels/_asm/genpool).")
	x, ldx, y, n, idx, o := RDI, RSI, R8, R9, R13, RBX
	avoutil.Params("x ldx y n idx", x, ldx, y, n, idx)
	// Z20: lane l's window column l*sw, moved on by 16*sw (Z21) per vector.
	Load(Param("sw"), R12)
	VPBROADCASTD(R12.As32(), Z20)
	VPMULLD(iota, Z20, Z20)
	SHLQ(Imm(4), R12)
	VPBROADCASTD(R12.As32(), Z21)
	MOVL(U32(0xffffffff), EAX)
	VPBROADCASTD(EAX, Z22) // -1
	KXNORW(K1, K1, K1)
	XORQ(o, o)
	Label("argmax_full")
	MOVQ(o, RAX)
	ADDQ(Imm(16), RAX)
	CMPQ(RAX, n)
	JG(LabelRef("argmax_tail"))
	argmaxVector("full")
	ADDQ(Imm(16), o)
	VPADDD(Z21, Z20, Z20)
	JMP(LabelRef("argmax_full"))
	Label("argmax_tail")
	MOVQ(n, RCX)
	SUBQ(o, RCX)
	JLE(LabelRef("argmax_done"))
	avoutil.MaskCL(K1)
	argmaxVector("tail")
	avoutil.EndAt("argmax_done")
}

// iota holds the int32s 0 to 15.
var iota Mem

// argmaxVector searches the 16 windows from output o (BX) under opmask K1
// and stores their offsets; name tells its labels apart.
func argmaxVector(name string) {
	x, ldx, y, idx, o := RDI, RSI, R8, R13, RBX
	kh, kw := avoutil.ParamAddr("kh"), avoutil.ParamAddr("kw")
	VMOVUPS_Z(Mem{Base: y, Index: o, Scale: 4}, K1, Z0)
	VCMPPS(Imm(cmpUnord), Z0, Z0, K1, K3) // y is NaN
	VMOVDQA32(Z22, Z1)                    // offsets: -1
	KXORW(K4, K4, K4)                     // found
	XORQ(R10, R10)                        // i*ldx
	XORQ(R12, R12)                        // i
	Label("argmax_" + name + "_row")
	XORQ(RCX, RCX) // j
	Label("argmax_" + name + "_col")
	LEAQ(Mem{Base: R10, Index: RCX, Scale: 1}, RAX) // i*ldx + j
	LEAQ(Mem{Base: x, Index: RAX, Scale: 4}, RDX)
	KMOVW(K1, K2)
	VGATHERDPS(Mem{Base: RDX, Index: Z20, Scale: 4}, K2, Z2)
	VPBROADCASTD(EAX, Z3)
	VPADDD(Z20, Z3, Z3)                   // the candidates' offsets
	VCMPPS(Imm(cmpEqOQ), Z0, Z2, K1, K5)  // == y
	KANDNW(K5, K4, K5)                    // and not found before
	VMOVDQA32(Z3, K5, Z1)                 //
	KORW(K5, K4, K4)                      //
	VCMPPS(Imm(cmpUnord), Z2, Z2, K3, K6) // NaN where y is NaN: the last one
	VMOVDQA32(Z3, K6, Z1)                 //
	INCQ(RCX)
	CMPQ(RCX, kw)
	JL(LabelRef("argmax_" + name + "_col"))
	ADDQ(ldx, R10)
	INCQ(R12)
	CMPQ(R12, kh)
	JL(LabelRef("argmax_" + name + "_row"))
	VMOVDQU32(Z1, K1, Mem{Base: idx, Index: o, Scale: 4})
}
