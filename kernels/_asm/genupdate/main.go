// Command genupdate writes kernels/update_amd64.s and its Go declarations
// with avo: the AVX-512 loop of the SGD update with momentum and weight
// decay (kernels/sgd.go). Run it through go generate in kernels.
//
// Every operation is a separate multiply, add or subtract rounded to
// float32 (no fused multiply-add), in the order of the portable loop, so
// that both give the same bits. The last, partial vector runs under an
// opmask of its n%16 lanes: nothing at or past n is read or written.
package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

func main() {
	ConstraintExpr("!purego")
	sgdMomentum()
	Generate()
}

// sgdMomentum: for i < n,
//
//	d      = grad[i] + wd·w[i]
//	buf[i] = buf[i]·mom + damp·d
//	w[i]   = w[i] - lr·buf[i]
func sgdMomentum() {
	TEXT("avx512SGDMomentum", NOSPLIT, "func(w, grad, buf *float32, n int, lr, mom, damp, wd float32)")
	Doc("avx512SGDMomentum sets, for i < n, d = grad[i] + wd·w[i], buf[i] = buf[i]·mom + damp·d, w[i] -= lr·buf[i], each operation rounded to float32 (see sgdMomentumGo in kernels/sgd.go).")
	w, g, buf, n := RDI, RSI, RDX, R8
	Load(Param("w"), w)
	Load(Param("grad"), g)
	Load(Param("buf"), buf)
	Load(Param("n"), n)
	// Broadcast straight from the frame: a legacy-SSE load first would
	// mix SSE into AVX-512 code (see genbn).
	for i, p := range []string{"lr", "mom", "damp", "wd"} {
		a, err := Param(p).Resolve()
		if err != nil {
			panic(err)
		}
		VBROADCASTSS(a.Addr, []VecPhysical{Z1, Z2, Z3, Z4}[i])
	}
	off, full := RBX, RCX
	XORQ(off, off)
	MOVQ(n, full)
	ANDQ(I32(-16), full)
	SHLQ(Imm(2), full)
	body := func(k Op) {
		at := func(b GPPhysical) Mem { return Mem{Base: b, Index: off, Scale: 1} }
		load := func(m Mem, dst VecPhysical) {
			if k == nil {
				VMOVUPS(m, dst)
			} else {
				VMOVUPS_Z(m, k, dst)
			}
		}
		store := func(src VecPhysical, m Mem) {
			if k == nil {
				VMOVUPS(src, m)
			} else {
				VMOVUPS(src, k, m)
			}
		}
		load(at(w), Z5)
		load(at(g), Z6)
		load(at(buf), Z7)
		VMULPS(Z5, Z4, Z8) // wd·w
		VADDPS(Z8, Z6, Z6) // d = g + wd·w
		VMULPS(Z2, Z7, Z7) // buf·mom
		VMULPS(Z3, Z6, Z6) // damp·d
		VADDPS(Z6, Z7, Z7) // buf
		VMULPS(Z7, Z1, Z8) // lr·buf
		VSUBPS(Z8, Z5, Z5) // w - lr·buf
		store(Z7, at(buf))
		store(Z5, at(w))
	}
	Label("sgd_full")
	CMPQ(off, full)
	JGE(LabelRef("sgd_tail"))
	body(nil)
	ADDQ(Imm(64), off)
	JMP(LabelRef("sgd_full"))
	Label("sgd_tail")
	MOVQ(n, RCX)
	ANDQ(Imm(15), RCX)
	JZ(LabelRef("sgd_done"))
	MOVL(U32(1), EAX)
	SHLL(CL, EAX)
	DECL(EAX)
	KMOVW(EAX, K1)
	body(K1)
	Label("sgd_done")
	VZEROUPPER()
	RET()
}
