// Command genpool writes kernels/pool_amd64.s and its Go declarations with
// avo: the row kernels behind MaxPool2d (window maxima along rows, then
// down columns) and LRN (the channel-window sum of squares and the scaling)
// for AVX-512 and AVX2. Run it through go generate in kernels.
//
// A row's last, partial vector is handled with lane masks the Go wrappers
// in kernels/pool_amd64.go compute: opmask bits packed in a uint64 for
// AVX-512 (outputs in bits 0-15, the low load of a stride-2 pair in 16-31,
// the high one in 32-47), a *[4][8]int32 of VMASKMOVPS masks for AVX2
// (outputs, low load, high load, and the high load of a full vector). No
// kernel reads or writes a float outside the documented loop.
package main

import (
	"fmt"

	"github.com/alexnet-go/alexnet/kernels/_asm/internal/avoutil"
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// evens and odds are the VPERMT2PS indices that take the even and the odd
// floats of a pair of vectors (the stride-2 deinterleave of AVX-512).
var evens, odds Mem

func main() {
	avoutil.Run(tables, deinterleave2, argmax, func() {
		for _, v := range []avoutil.ISA{avoutil.AVX512, avoutil.AVX2} {
			regs(v)
			for _, k := range []int{0, 2, 3} {
				hmax(v, 1, k)
				hmax(v, 2, k)
				vmax(v, k)
			}
			lrn(v)
		}
	})
}

// tables emits evens, odds and iota.
func tables() {
	evens = avoutil.Table32("poolEvens", 16, func(i int) uint32 { return uint32(2 * i) })
	odds = avoutil.Table32("poolOdds", 16, func(i int) uint32 { return uint32(2*i + 1) })
	iota = avoutil.Table32("poolIota", 16, func(i int) uint32 { return uint32(i) })
}

// label is the label prefix of a full (tail false) or partial vector.
func label(name string, tail bool) string {
	if tail {
		return name + "_part"
	}
	return name + "_full"
}

// masks are the mask registers of a partial vector: AVX-512 opmasks or
// AVX2 mask vectors.
type masks struct {
	out, lo, hi, fullHi Op
}

// loadMasks loads the masks of the partial vector from the parameter
// "masks" (and the constant high mask of a full stride-2 vector).
func loadMasks(v avoutil.ISA) masks {
	if v.Mask {
		Load(Param("masks"), RAX)
		KMOVW(EAX, K2)
		SHRQ(Imm(16), RAX)
		KMOVW(EAX, K3)
		SHRQ(Imm(16), RAX)
		KMOVW(EAX, K4)
		MOVL(U32(0x7fff), EAX)
		KMOVW(EAX, K1)
		return masks{out: K2, lo: K3, hi: K4, fullHi: K1}
	}
	Load(Param("masks"), RAX)
	m := masks{out: Y12, lo: Y13, hi: Y14, fullHi: Y15}
	VMOVDQU(Mem{Base: RAX}, Y12)
	VMOVDQU(Mem{Base: RAX, Disp: 32}, Y13)
	VMOVDQU(Mem{Base: RAX, Disp: 64}, Y14)
	VMOVDQU(Mem{Base: RAX, Disp: 96}, Y15)
	return m
}

// kernel is the state of a max or LRN kernel while it is emitted.
type kernel struct {
	v    avoutil.ISA
	name string
	mk   masks
	cold []func() // paths emitted after the RET
}

// begin starts the kernel name of v, of the Go parameters params and the
// lane masks in v's form.
func begin(v avoutil.ISA, name, params, doc string) *kernel {
	m := "masks uint64"
	if !v.Mask {
		m = "masks *[4][8]int32"
	}
	avoutil.Func(name, "func("+params+", "+m+")", doc)
	return &kernel{v: v, name: name}
}

// outMask is the mask of the outputs of a partial vector (tail), nil for
// a full one.
func (kn *kernel) outMask(tail bool) Op {
	if tail {
		return kn.mk.out
	}
	return nil
}

// end returns, then emits the cold paths.
func (kn *kernel) end() {
	avoutil.End()
	for _, f := range kn.cold {
		f()
	}
}

// vecLoop emits the loop over cnt outputs, v.Lanes at a time:
// vector(false) for each full vector, then advance; then vector(true) for
// the last, partial one if there is one, falling through to the label end.
func (kn *kernel) vecLoop(cnt GPPhysical, vector func(tail bool), advance func(), end string) {
	name := kn.name
	Label(name + "_vec")
	CMPQ(cnt, Imm(uint64(kn.v.Lanes)))
	JL(LabelRef(name + "_tail"))
	vector(false)
	advance()
	SUBQ(Imm(uint64(kn.v.Lanes)), cnt)
	JMP(LabelRef(name + "_vec"))
	Label(name + "_tail")
	TESTQ(cnt, cnt)
	JE(LabelRef(end))
	vector(true)
	Label(end)
}

// rows are the registers of the row loop of the max kernels: the row
// count, the first input and output of a row and the steps to the next
// row's (in bytes), n outputs a row, and the cursors of the vector loop.
type rows struct {
	rows, x, xRow, out, ldo, n GPPhysical
	xp, op, cnt                GPPhysical
}

// rowLoop emits the loop over r.rows rows of r.n outputs, vector(tail)
// emitting each vector from xp to op; xp moves on by s vectors per
// vector. It ends the kernel.
func (kn *kernel) rowLoop(r rows, s int, vector func(tail bool)) {
	name, vb := kn.name, kn.v.VecBytes()
	Label(name + "_row")
	TESTQ(r.rows, r.rows)
	JE(LabelRef(name + "_done"))
	MOVQ(r.x, r.xp)
	MOVQ(r.out, r.op)
	MOVQ(r.n, r.cnt)
	kn.vecLoop(r.cnt, vector, func() {
		ADDQ(Imm(uint64(vb*s)), r.xp)
		ADDQ(Imm(uint64(vb)), r.op)
	}, name+"_next")
	ADDQ(r.xRow, r.x)
	ADDQ(r.ldo, r.out)
	DECQ(r.rows)
	JMP(LabelRef(name + "_row"))
	Label(name + "_done")
	kn.end()
}

// maxName is the name and the start of the doc comment of a max kernel
// base, for any window (k = 0) or for windows of k only.
func maxName(base, where string, k int) (name, doc string) {
	if k == 0 {
		return base, base + " computes window maxima " + where
	}
	name = fmt.Sprintf("%sK%d", base, k)
	return name, fmt.Sprintf("%s computes window maxima of %d %s", name, k, where)
}

// maxStep emits the fold step of MaxPool2dNaive on every lane,
//
//	if x > m || x != x { m = x }
//
// so the first of equal maxima (+0 or -0) stays and a NaN replaces m.
// VMAXPS x, m (Intel operand order) is x > m ? x : m, which keeps m when
// either is NaN; the lanes where x is NaN are then blended in. t is a
// scratch vector (AVX2).
func maxStep(v avoutil.ISA, m, x, t VecPhysical) {
	if v.Mask {
		VCMPPS(Imm(3), x, x, K5) // unordered: x is NaN
		VMAXPS(m, x, m)
		VMOVAPS(x, K5, m)
		return
	}
	VCMPPS(Imm(3), x, x, t)
	VMAXPS(m, x, m)
	VBLENDVPS(t, x, m, m)
}

// hmax emits <isa>HMax<s>, the window maxima along rows at stride s:
//
//	for r < rows, o < n:
//	    m := x[r*ldx + o*s]
//	    for j := 1; j < kw; j++ { m = step(m, x[r*ldx + o*s + j]) }
//	    out[r*ldo + o] = m
//
// with step the fold of maxStep. ldx and ldo are in floats, kw >= 1. At
// stride 2 a window column is the even floats of a pair of vectors.
//
// With k > 0 the kernel is <isa>HMax<s>K<k>, for kw = k only, unrolled
// (see fold); with k = 0 it loops over any kw, loading each column from
// the pair at x[r*ldx + o*2 + j].
func hmax(v avoutil.ISA, s, k int) {
	name, doc := maxName(fmt.Sprintf("%sHMax%d", v.Name, s), fmt.Sprintf("along rows at stride %d", s), k)
	kn := begin(v, name, "x *float32, ldx, rows, n, kw int, out *float32, ldo int", doc+" (see hmax in kernels/_asm/genpool).")
	r := rows{x: RSI, xRow: R8, rows: R9, n: R10, out: RDI, ldo: R12, xp: R13, op: R14, cnt: RBX}
	h := &hmaxKernel{kernel: kn, s: s, k: k, xp: r.xp, op: r.op, kw: R11}
	avoutil.Params("x ldx*4 rows n", r.x, r.xRow, r.rows, r.n)
	if k == 0 {
		Load(Param("kw"), h.kw)
	}
	avoutil.Params("out ldo*4", r.out, r.ldo)
	kn.mk = loadMasks(v)
	if v.Mask && s == 2 {
		VMOVDQU32(evens, evenIdx)
		VMOVDQU32(odds, oddIdx)
	}
	kn.rowLoop(r, s, h.vector)
}

// hmaxKernel is the state of one hmax kernel while it is emitted.
type hmaxKernel struct {
	*kernel
	s, k       int
	xp, op, kw GPPhysical // the vector's first window and output; kw
}

// column loads the window column at a into dst, the generic way: one
// vector (stride 1) or pair (stride 2) per column.
func (h *hmaxKernel) column(tail bool, a Mem, dst VecPhysical) {
	v := h.v
	if h.s == 1 {
		v.Load(a, h.outMask(tail), dst)
		return
	}
	kl, kh := Op(nil), h.mk.fullHi
	if tail {
		kl, kh = h.mk.lo, h.mk.hi
	}
	v.Load(a, kl, dst)
	a.Disp += v.VecBytes()
	v.Load(a, kh, hiVec)
	if v.Mask {
		VPERMT2PS(hiVec, evenIdx, dst)
	} else {
		// Evens of each 128-bit lane; VPERMPD puts them in order at the end.
		VSHUFPS(Imm(0x88), hiVec, dst, dst)
	}
}

// columns loads the k columns of an unrolled kernel into cols.
func (h *hmaxKernel) columns(tail bool) {
	switch {
	case h.s == 1 || !h.v.Mask && tail:
		for j := 0; j < h.k; j++ {
			h.column(tail, Mem{Base: h.xp, Disp: 4 * j}, cols[j])
		}
	case h.v.Mask:
		h.pairColumns(tail)
	default:
		// AVX2, full vector: floats 0 to 15 give the even and odd
		// columns, 2 to 16 the third.
		vb := h.v.VecBytes()
		h.v.Load(Mem{Base: h.xp}, nil, cols[1])
		h.v.Load(Mem{Base: h.xp, Disp: vb}, nil, hiVec)
		VSHUFPS(Imm(0x88), hiVec, cols[1], cols[0])
		VSHUFPS(Imm(0xdd), hiVec, cols[1], cols[1])
		if h.k == 3 {
			h.v.Load(Mem{Base: h.xp, Disp: 8}, nil, cols[2])
			h.v.Load(Mem{Base: h.xp, Disp: 8 + vb}, h.mk.fullHi, hiVec)
			VSHUFPS(Imm(0x88), hiVec, cols[2], cols[2])
		}
	}
}

// pairColumns loads the columns of an unrolled AVX-512 stride-2 kernel:
// one pair holds every column (the tail masks cover floats 0 to 2t+k-3):
// evens, odds, and the evens shifted by one.
func (h *hmaxKernel) pairColumns(tail bool) {
	vb := h.v.VecBytes()
	kl, kh := Op(nil), Op(nil)
	if tail {
		kl, kh = h.mk.lo, h.mk.hi
	}
	h.v.Load(Mem{Base: h.xp}, kl, cols[1])
	h.v.Load(Mem{Base: h.xp, Disp: vb}, kh, hiVec)
	VMOVAPS(evenIdx, cols[0])
	VPERMI2PS(hiVec, cols[1], cols[0])
	VPERMT2PS(hiVec, oddIdx, cols[1])
	if h.k == 3 {
		if tail {
			VALIGND(Imm(1), cols[0], cols[0], cols[2])
		} else {
			VBROADCASTSS(Mem{Base: h.xp, Disp: 2 * vb}, cols[2])
			VALIGND(Imm(1), cols[0], cols[2], cols[2])
		}
	}
}

// vector emits one output vector from xp to op.
func (h *hmaxKernel) vector(tail bool) {
	l := label(h.name, tail)
	if h.k > 0 {
		h.columns(tail)
		h.cold = append(h.cold, fold(h.v, h.k, l))
	} else {
		p, j := RDX, RCX
		h.column(tail, Mem{Base: h.xp}, acc)
		MOVQ(h.xp, p)
		MOVQ(h.kw, j)
		Label(l + "_col")
		DECQ(j)
		JE(LabelRef(l + "_store"))
		ADDQ(Imm(4), p)
		h.column(tail, Mem{Base: p}, cols[1])
		maxStep(h.v, acc, cols[1], tmp)
		JMP(LabelRef(l + "_col"))
	}
	Label(l + "_store")
	if !h.v.Mask && h.s == 2 {
		VPERMPD(Imm(0xd8), acc, acc)
	}
	h.v.Store(acc, h.outMask(tail), Mem{Base: h.op})
}

// Vector registers of the max kernels (the same numbers for both ISAs).
var (
	evenIdx, oddIdx = Z0, Z10 // AVX-512 stride-2 deinterleave indices
	// Set per ISA by regs: the fold's result, the columns (rows) of an
	// unrolled window, the high half of a pair, a scratch vector.
	acc, hiVec, tmp VecPhysical
	cols            []VecPhysical
)

// regs points the register variables at v's registers.
func regs(v avoutil.ISA) {
	acc, hiVec, tmp = v.Vec(5), v.Vec(9), v.Vec(6)
	cols = []VecPhysical{v.Vec(1), v.Vec(2), v.Vec(3)}
}

// fold emits the fold of an unrolled window of k values cols[0..k-1] into
// acc, falling through to label l+"_store". The common case runs
//
//	acc = VMAXPS(cols[j], acc) for j = 1, 2, ...   (Intel order: cols[j] > acc ? cols[j] : acc)
//
// which is the fold of maxStep wherever none of cols[1..k-1] is NaN (a NaN
// in cols[0] stays in acc as it should); if one is, the vector is redone
// with maxStep by the returned cold path, emitted after the kernel's RET.
func fold(v avoutil.ISA, k int, l string) func() {
	VMAXPS(cols[0], cols[1], acc)
	for j := 2; j < k; j++ {
		VMAXPS(acc, cols[j], acc)
	}
	if v.Mask {
		VCMPPS(Imm(3), cols[1], cols[k-1], K5)
		KORTESTW(K5, K5)
	} else {
		VCMPPS(Imm(3), cols[1], cols[k-1], tmp)
		VTESTPS(tmp, tmp)
	}
	JNE(LabelRef(l + "_nan"))
	return func() {
		Label(l + "_nan")
		VMOVAPS(cols[0], acc)
		for j := 1; j < k; j++ {
			maxStep(v, acc, cols[j], tmp)
		}
		JMP(LabelRef(l + "_store"))
	}
}

// vmax emits <isa>VMax, the window maxima down columns:
//
//	for r < rows, o < n:
//	    m := x[r*sh*ldx + o]
//	    for i := 1; i < kh; i++ { m = step(m, x[(r*sh+i)*ldx + o]) }
//	    out[r*ldo + o] = m
//
// with step the fold of maxStep. ldx and ldo are in floats, kh >= 1. With
// k > 0 the kernel is <isa>VMaxK<k>, for kh = k only, unrolled (see fold).
func vmax(v avoutil.ISA, k int) {
	name, doc := maxName(v.Name+"VMax", "down columns", k)
	kn := begin(v, name, "x *float32, ldx, rows, n, kh, sh int, out *float32, ldo int", doc+" (see vmax in kernels/_asm/genpool).")
	r := rows{x: RSI, rows: R9, n: R10, xRow: R12, out: RDI, ldo: R13, xp: R14, op: RAX, cnt: RBX}
	ldx, kh := R8, R11
	avoutil.Params("x ldx*4 rows n", r.x, ldx, r.rows, r.n)
	if k == 0 {
		Load(Param("kh"), kh)
	}
	Load(Param("sh"), r.xRow)
	IMULQ(ldx, r.xRow) // bytes from one output row's first input row to the next
	avoutil.Params("out ldo*4", r.out, r.ldo)
	kn.mk = loadMasks(v)
	kn.rowLoop(r, 1, func(tail bool) {
		l, km := label(name, tail), kn.outMask(tail)
		if k > 0 {
			v.Load(Mem{Base: r.xp}, km, cols[0])
			for i := 1; i < k; i++ { // k <= 3: rows 1 and 2 at ldx*1 and ldx*2
				v.Load(Mem{Base: r.xp, Index: ldx, Scale: uint8(i)}, km, cols[i])
			}
			kn.cold = append(kn.cold, fold(v, k, l))
		} else {
			p, i := RDX, RCX
			v.Load(Mem{Base: r.xp}, km, acc)
			MOVQ(r.xp, p)
			MOVQ(kh, i)
			Label(l + "_row")
			DECQ(i)
			JE(LabelRef(l + "_store"))
			ADDQ(ldx, p)
			v.Load(Mem{Base: p}, km, cols[1])
			maxStep(v, acc, cols[1], tmp)
			JMP(LabelRef(l + "_row"))
		}
		Label(l + "_store")
		v.Store(acc, km, Mem{Base: r.op})
	})
}

// lrn emits <isa>LRN075, LRN's scaling with beta = 0.75 for one channel:
//
//	for o < n:
//	    s := x[o]*x[o]
//	    for i := 1; i < cnt; i++ { s += x[i*ld+o] * x[i*ld+o] }
//	    d := s*rsize*alpha + k
//	    y[o] = xc[o] * d^-0.75
//
// the sum and d rounded to float32 at every step as written (no fused
// multiply-add). ld is in floats, cnt >= 1.
//
// AVX2 takes d^-0.75 as 1/(r*sqrt(r)) with r = sqrt(d), y = xc[o]/(r*sqrt(r)).
// AVX-512 takes a = d^-0.5 and b = a^-0.5 from VRSQRT14PS, each refined by
// a Newton step, and d^-0.75 = a*a*b: within 6e-7 relative of the float64
// power and over three times faster than the square roots and division,
// which it keeps for the vectors with d zero, infinite, negative or
// subnormal in some lane (VFPCLASSPS).
func lrn(v avoutil.ISA) {
	name := v.Name + "LRN075"
	kn := begin(v, name, "x *float32, ld, cnt int, xc, y *float32, n int, rsize, alpha, k float32",
		name+" scales one channel by its window sum of squares to the power -0.75 (see lrn in kernels/_asm/genpool).")
	l := &lrnKernel{kernel: kn, x: RSI, ld: R8, cnt: R9, xc: R10, y: RDI, next: R12,
		rsize: v.Vec(5), alpha: v.Vec(6), k: v.Vec(7), sum: v.Vec(0), xv: v.Vec(1), r: v.Vec(2), q: v.Vec(3),
		half: v.Vec(8), threeHalves: v.Vec(9), a0: v.Vec(10), t: v.Vec(11)}
	n := R11
	avoutil.Params("x ld*4 cnt", l.x, l.ld, l.cnt)
	// next follows the row after the window, the one the next channel
	// adds, prefetched a channel ahead (a prefetch past x does not fault).
	MOVQ(l.cnt, l.next)
	IMULQ(l.ld, l.next)
	ADDQ(l.x, l.next)
	avoutil.Params("xc y n", l.xc, l.y, n)
	kn.mk = loadMasks(v)
	avoutil.Broadcast("rsize", l.rsize)
	avoutil.Broadcast("alpha", l.alpha)
	avoutil.Broadcast("k", l.k)
	if v.Mask {
		avoutil.SplatF32(0.5, l.half)
		avoutil.SplatF32(1.5, l.threeHalves)
	}
	kn.vecLoop(n, l.vector, func() {
		for _, r := range []GPPhysical{l.x, l.next, l.xc, l.y} {
			ADDQ(Imm(uint64(v.VecBytes())), r)
		}
	}, name+"_done")
	kn.end()
}

// lrnKernel is the state of one lrn kernel while it is emitted: its
// pointer and count registers and its vector registers.
type lrnKernel struct {
	*kernel
	x, ld, cnt, xc, y, next        GPPhysical
	rsize, alpha, k, sum, xv, r, q VecPhysical
	half, threeHalves, a0, t       VecPhysical
}

// rsqrt emits dst = src^-0.5: VRSQRT14PS and a Newton step,
// dst = a0*(1.5 - 0.5*src*a0*a0).
func (l *lrnKernel) rsqrt(src, dst VecPhysical) {
	VRSQRT14PS(src, l.a0)
	VMULPS(l.a0, src, l.t)
	VMULPS(l.a0, l.t, l.t)
	VFNMADD213PS(l.threeHalves, l.half, l.t)
	VMULPS(l.t, l.a0, dst)
}

// slow emits xv = xv / (r*sqrt(r)), r = sqrt(sum).
func (l *lrnKernel) slow() {
	VSQRTPS(l.sum, l.r)
	VSQRTPS(l.r, l.q)
	VMULPS(l.q, l.r, l.r)
	VDIVPS(l.r, l.xv, l.xv)
}

// vector emits one output vector: the window's sum of squares, then the
// scaling of xc into y.
func (l *lrnKernel) vector(tail bool) {
	v, lb, km := l.v, label(l.name, tail), l.outMask(tail)
	p, i := RDX, RCX
	PREFETCHT0(Mem{Base: l.next})
	MOVQ(l.x, p)
	v.Load(Mem{Base: p}, km, l.sum)
	VMULPS(l.sum, l.sum, l.sum)
	MOVQ(l.cnt, i)
	Label(lb + "_win")
	DECQ(i)
	JE(LabelRef(lb + "_scale"))
	ADDQ(l.ld, p)
	v.Load(Mem{Base: p}, km, l.xv)
	VMULPS(l.xv, l.xv, l.xv)
	VADDPS(l.xv, l.sum, l.sum)
	JMP(LabelRef(lb + "_win"))
	Label(lb + "_scale")
	VMULPS(l.rsize, l.sum, l.sum)
	VMULPS(l.alpha, l.sum, l.sum)
	VADDPS(l.k, l.sum, l.sum)
	v.Load(Mem{Base: l.xc}, km, l.xv)
	if v.Mask {
		VFPCLASSPSZ(Imm(0x7e), l.sum, K6) // ±0, ±inf, subnormal, negative
		KORTESTW(K6, K6)
		JNE(LabelRef(lb + "_slow"))
		l.rsqrt(l.sum, l.r)
		l.rsqrt(l.r, l.q)
		VMULPS(l.r, l.r, l.r)
		VMULPS(l.q, l.r, l.r)
		VMULPS(l.r, l.xv, l.xv)
		l.cold = append(l.cold, func() {
			Label(lb + "_slow")
			l.slow()
			JMP(LabelRef(lb + "_store"))
		})
	} else {
		l.slow()
	}
	Label(lb + "_store")
	v.Store(l.xv, km, Mem{Base: l.y})
}

// deinterleave2 emits avx512Deinterleave2, the stride-2 split of a row
// (the even/odd columns the Winograd input transform reads):
//
//	for q < n (n a multiple of 16): even[q] = src[2q], odd[q] = src[2q+1]
func deinterleave2() {
	avoutil.Func("avx512Deinterleave2", "func(even, odd, src *float32, n int)",
		"avx512Deinterleave2 splits 2n floats into their even and odd ones, n a multiple of 16 (see deinterleave2 in kernels/_asm/genpool).")
	ev, od, src, n := RDI, RSI, RDX, RCX
	avoutil.Params("even odd src n", ev, od, src, n)
	VMOVUPS(evens, Z4)
	VMOVUPS(odds, Z5)
	Label("deint2_loop")
	CMPQ(n, Imm(16))
	JL(LabelRef("deint2_done"))
	VMOVUPS(Mem{Base: src}, Z0)
	VMOVUPS(Mem{Base: src, Disp: 64}, Z1)
	VMOVAPS(Z0, Z2)
	VPERMT2PS(Z1, Z4, Z0)
	VPERMT2PS(Z1, Z5, Z2)
	VMOVUPS(Z0, Mem{Base: ev})
	VMOVUPS(Z2, Mem{Base: od})
	ADDQ(Imm(128), src)
	ADDQ(Imm(64), ev)
	ADDQ(Imm(64), od)
	SUBQ(Imm(16), n)
	JMP(LabelRef("deint2_loop"))
	avoutil.EndAt("deint2_done")
}
