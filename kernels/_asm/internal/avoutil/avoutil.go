// Package avoutil holds the avo building blocks the generators share:
// float32 parameters broadcast from the argument frame, and the loop over
// n floats 16 at a time with an opmask on the last, partial vector.
package avoutil

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// ParamAddr is the frame address of the parameter name.
func ParamAddr(name string) Mem {
	p, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return p.Addr
}

// Broadcast fills z with the float32 parameter name, read straight from
// the argument frame. Loading it into X first with a legacy-SSE MOVSS (what
// avo's Load emits) mixes SSE into AVX-512 code, which made the batch-norm
// kernels 5-10x slower here.
func Broadcast(name string, z VecPhysical) {
	VBROADCASTSS(ParamAddr(name), z)
}

// TailMask sets k to the opmask of the n%16 lanes of the last, partial
// vector of n floats; n is left unchanged, AX and CX are clobbered.
func TailMask(n GPPhysical, k Op) {
	MOVQ(n, RCX)
	ANDQ(Imm(15), RCX)
	MaskCL(k)
}

// Loop16 emits the loop over n floats (n in a register), 16 at a time:
// body(off, k) handles the vector at byte offset off (in BX; DX is the
// loop's bound), under opmask K1 for the last, partial one and nil for the
// full ones; then end, if not nil, and the return.
func Loop16(name string, n GPPhysical, body func(off GPPhysical, k Op), end func()) {
	off, full := RBX, RDX
	XORQ(off, off)
	MOVQ(n, full)
	ANDQ(I32(-16), full)
	SHLQ(Imm(2), full)
	Label(name + "_full")
	CMPQ(off, full)
	JGE(LabelRef(name + "_tail"))
	body(off, nil)
	ADDQ(Imm(64), off)
	JMP(LabelRef(name + "_full"))
	Label(name + "_tail")
	TESTQ(U32(15), n)
	JZ(LabelRef(name + "_done"))
	TailMask(n, K1)
	body(off, K1)
	Label(name + "_done")
	if end != nil {
		end()
	}
	End()
}

// Load16 moves 16 floats into dst, under opmask k (zeroing the other lanes)
// when k is not nil.
func Load16(m Mem, k Op, dst VecPhysical) { AVX512.Load(m, k, dst) }

// Store16 writes 16 floats of src, the lanes of opmask k when k is not nil.
func Store16(src VecPhysical, k Op, m Mem) { AVX512.Store(src, k, m) }
