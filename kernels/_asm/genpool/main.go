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
	"math"

	"github.com/alexnet-go/alexnet/kernels/_asm/internal/avoutil"
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// isa describes one vector instruction set.
type isa struct {
	name  string // function name prefix: "avx512", "avx2"
	lanes int    // float32 lanes per vector register
	vec   func(i int) VecPhysical
	mask  bool // AVX-512 opmasks (else VMASKMOVPS vector masks)
}

var (
	avx512 = isa{"avx512", 16, func(i int) VecPhysical { return zmm[i] }, true}
	avx2   = isa{"avx2", 8, func(i int) VecPhysical { return ymm[i] }, false}
	zmm    = []VecPhysical{Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15}
	ymm    = []VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15}
)

// evens and odds are the VPERMT2PS indices that take the even and the odd
// floats of a pair of vectors (the stride-2 deinterleave of AVX-512).
var evens, odds Mem

func main() {
	ConstraintExpr("!purego")
	evens = GLOBL("poolEvens", RODATA|NOPTR)
	for i := 0; i < 16; i++ {
		DATA(4*i, U32(2*i))
	}
	odds = GLOBL("poolOdds", RODATA|NOPTR)
	for i := 0; i < 16; i++ {
		DATA(4*i, U32(2*i+1))
	}
	iotaTable()
	deinterleave2()
	argmax()
	for _, v := range []isa{avx512, avx2} {
		regs(v)
		for _, k := range []int{0, 2, 3} {
			hmax(v, 1, k)
			hmax(v, 2, k)
			vmax(v, k)
		}
		lrn(v)
	}
	Generate()
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
func loadMasks(v isa) masks {
	if v.mask {
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

// load emits dst = the vector at m, only the lanes of mask (nil: all).
func load(v isa, m Mem, mask Op, dst VecPhysical) {
	switch {
	case mask == nil:
		VMOVUPS(m, dst)
	case v.mask:
		VMOVUPS_Z(m, mask, dst)
	default:
		VMASKMOVPS(m, mask, dst)
	}
}

// store emits a store of src to m, only the lanes of mask (nil: all).
func store(v isa, src VecPhysical, mask Op, m Mem) {
	switch {
	case mask == nil:
		VMOVUPS(src, m)
	case v.mask:
		VMOVUPS(src, mask, m)
	default:
		VMASKMOVPS(src, mask, m)
	}
}

// maxStep emits the fold step of MaxPool2dNaive on every lane,
//
//	if x > m || x != x { m = x }
//
// so the first of equal maxima (+0 or -0) stays and a NaN replaces m.
// VMAXPS x, m (Intel operand order) is x > m ? x : m, which keeps m when
// either is NaN; the lanes where x is NaN are then blended in. t is a
// scratch vector (AVX2).
func maxStep(v isa, m, x, t VecPhysical) {
	if v.mask {
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
func hmax(v isa, s, k int) {
	name := fmt.Sprintf("%sHMax%d", v.name, s)
	doc := fmt.Sprintf("%s computes window maxima along rows at stride %d", name, s)
	if k > 0 {
		name += fmt.Sprintf("K%d", k)
		doc = fmt.Sprintf("%s computes window maxima of %d along rows at stride %d", name, k, s)
	}
	sig := "func(x *float32, ldx, rows, n, kw int, out *float32, ldo int, masks uint64)"
	if !v.mask {
		sig = "func(x *float32, ldx, rows, n, kw int, out *float32, ldo int, masks *[4][8]int32)"
	}
	TEXT(name, NOSPLIT, sig)
	Doc(doc + " (see hmax in kernels/_asm/genpool).")
	x, ldx, rows, n, kw, out, ldo := RSI, R8, R9, R10, R11, RDI, R12
	xp, op, cnt, p, j := R13, R14, RBX, RDX, RCX
	Load(Param("x"), x)
	Load(Param("ldx"), ldx)
	SHLQ(Imm(2), ldx)
	Load(Param("rows"), rows)
	Load(Param("n"), n)
	if k == 0 {
		Load(Param("kw"), kw)
	}
	Load(Param("out"), out)
	Load(Param("ldo"), ldo)
	SHLQ(Imm(2), ldo)
	mk := loadMasks(v)
	if v.mask && s == 2 {
		VMOVDQU32(evens, evenIdx)
		VMOVDQU32(odds, oddIdx)
	}
	vb := v.lanes * 4
	var cold []func()

	// column loads the window column at a into dst, the generic way: one
	// vector (stride 1) or pair (stride 2) per column.
	column := func(tail bool, a Mem, dst VecPhysical) {
		if s == 1 {
			var km Op
			if tail {
				km = mk.out
			}
			load(v, a, km, dst)
			return
		}
		kl, kh := Op(nil), mk.fullHi
		if tail {
			kl, kh = mk.lo, mk.hi
		}
		load(v, a, kl, dst)
		a.Disp += vb
		load(v, a, kh, hiVec)
		if v.mask {
			VPERMT2PS(hiVec, evenIdx, dst)
		} else {
			// Evens of each 128-bit lane; VPERMPD puts them in order at the end.
			VSHUFPS(Imm(0x88), hiVec, dst, dst)
		}
	}
	// columns loads the k columns of an unrolled kernel into cols.
	columns := func(tail bool) {
		switch {
		case s == 1 || !v.mask && tail:
			for j := 0; j < k; j++ {
				column(tail, Mem{Base: xp, Disp: 4 * j}, cols[j])
			}
		case v.mask:
			// One pair holds every column (the tail masks cover floats 0
			// to 2t+k-3): evens, odds, and the evens shifted by one.
			kl, kh := Op(nil), Op(nil)
			if tail {
				kl, kh = mk.lo, mk.hi
			}
			load(v, Mem{Base: xp}, kl, cols[1])
			load(v, Mem{Base: xp, Disp: vb}, kh, hiVec)
			VMOVAPS(evenIdx, cols[0])
			VPERMI2PS(hiVec, cols[1], cols[0])
			VPERMT2PS(hiVec, oddIdx, cols[1])
			if k == 3 {
				if tail {
					VALIGND(Imm(1), cols[0], cols[0], cols[2])
				} else {
					VBROADCASTSS(Mem{Base: xp, Disp: 2 * vb}, cols[2])
					VALIGND(Imm(1), cols[0], cols[2], cols[2])
				}
			}
		default:
			// AVX2, full vector: floats 0 to 15 give the even and odd
			// columns, 2 to 16 the third.
			load(v, Mem{Base: xp}, nil, cols[1])
			load(v, Mem{Base: xp, Disp: vb}, nil, hiVec)
			VSHUFPS(Imm(0x88), hiVec, cols[1], cols[0])
			VSHUFPS(Imm(0xdd), hiVec, cols[1], cols[1])
			if k == 3 {
				load(v, Mem{Base: xp, Disp: 8}, nil, cols[2])
				load(v, Mem{Base: xp, Disp: 8 + vb}, mk.fullHi, hiVec)
				VSHUFPS(Imm(0x88), hiVec, cols[2], cols[2])
			}
		}
	}
	// vector emits one output vector from xp to op.
	vector := func(tail bool) {
		l := label(name, tail)
		if k > 0 {
			columns(tail)
			cold = append(cold, fold(v, k, l))
		} else {
			column(tail, Mem{Base: xp}, acc)
			MOVQ(xp, p)
			MOVQ(kw, j)
			Label(l + "_col")
			DECQ(j)
			JE(LabelRef(l + "_store"))
			ADDQ(Imm(4), p)
			column(tail, Mem{Base: p}, cols[1])
			maxStep(v, acc, cols[1], tmp)
			JMP(LabelRef(l + "_col"))
		}
		Label(l + "_store")
		if !v.mask && s == 2 {
			VPERMPD(Imm(0xd8), acc, acc)
		}
		var km Op
		if tail {
			km = mk.out
		}
		store(v, acc, km, Mem{Base: op})
	}

	Label(name + "_row")
	TESTQ(rows, rows)
	JE(LabelRef(name + "_done"))
	MOVQ(x, xp)
	MOVQ(out, op)
	MOVQ(n, cnt)
	Label(name + "_vec")
	CMPQ(cnt, Imm(uint64(v.lanes)))
	JL(LabelRef(name + "_tail"))
	vector(false)
	ADDQ(Imm(uint64(vb*s)), xp)
	ADDQ(Imm(uint64(vb)), op)
	SUBQ(Imm(uint64(v.lanes)), cnt)
	JMP(LabelRef(name + "_vec"))
	Label(name + "_tail")
	TESTQ(cnt, cnt)
	JE(LabelRef(name + "_next"))
	vector(true)
	Label(name + "_next")
	ADDQ(ldx, x)
	ADDQ(ldo, out)
	DECQ(rows)
	JMP(LabelRef(name + "_row"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
	for _, f := range cold {
		f()
	}
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
func regs(v isa) {
	acc, hiVec, tmp = v.vec(5), v.vec(9), v.vec(6)
	cols = []VecPhysical{v.vec(1), v.vec(2), v.vec(3)}
}

// fold emits the fold of an unrolled window of k values cols[0..k-1] into
// acc, falling through to label l+"_store". The common case runs
//
//	acc = VMAXPS(cols[j], acc) for j = 1, 2, ...   (Intel order: cols[j] > acc ? cols[j] : acc)
//
// which is the fold of maxStep wherever none of cols[1..k-1] is NaN (a NaN
// in cols[0] stays in acc as it should); if one is, the vector is redone
// with maxStep by the returned cold path, emitted after the kernel's RET.
func fold(v isa, k int, l string) func() {
	VMAXPS(cols[0], cols[1], acc)
	for j := 2; j < k; j++ {
		VMAXPS(acc, cols[j], acc)
	}
	if v.mask {
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
func vmax(v isa, k int) {
	name := v.name + "VMax"
	doc := name + " computes window maxima down columns"
	if k > 0 {
		name += fmt.Sprintf("K%d", k)
		doc = fmt.Sprintf("%s computes window maxima of %d down columns", name, k)
	}
	sig := "func(x *float32, ldx, rows, n, kh, sh int, out *float32, ldo int, masks uint64)"
	if !v.mask {
		sig = "func(x *float32, ldx, rows, n, kh, sh int, out *float32, ldo int, masks *[4][8]int32)"
	}
	TEXT(name, NOSPLIT, sig)
	Doc(doc + " (see vmax in kernels/_asm/genpool).")
	x, ldx, rows, n, kh, step, out, ldo := RSI, R8, R9, R10, R11, R12, RDI, R13
	xp, op, cnt, p, i := R14, RAX, RBX, RDX, RCX
	Load(Param("x"), x)
	Load(Param("ldx"), ldx)
	SHLQ(Imm(2), ldx)
	Load(Param("rows"), rows)
	Load(Param("n"), n)
	if k == 0 {
		Load(Param("kh"), kh)
	}
	Load(Param("sh"), step)
	IMULQ(ldx, step) // bytes from one output row's first input row to the next
	Load(Param("out"), out)
	Load(Param("ldo"), ldo)
	SHLQ(Imm(2), ldo)
	mk := loadMasks(v)
	vb := v.lanes * 4
	var cold []func()

	vector := func(tail bool) {
		l := label(name, tail)
		var km Op
		if tail {
			km = mk.out
		}
		if k > 0 {
			load(v, Mem{Base: xp}, km, cols[0])
			for i := 1; i < k; i++ { // k <= 3: rows 1 and 2 at ldx*1 and ldx*2
				load(v, Mem{Base: xp, Index: ldx, Scale: uint8(i)}, km, cols[i])
			}
			cold = append(cold, fold(v, k, l))
		} else {
			load(v, Mem{Base: xp}, km, acc)
			MOVQ(xp, p)
			MOVQ(kh, i)
			Label(l + "_row")
			DECQ(i)
			JE(LabelRef(l + "_store"))
			ADDQ(ldx, p)
			load(v, Mem{Base: p}, km, cols[1])
			maxStep(v, acc, cols[1], tmp)
			JMP(LabelRef(l + "_row"))
		}
		Label(l + "_store")
		store(v, acc, km, Mem{Base: op})
	}

	Label(name + "_row")
	TESTQ(rows, rows)
	JE(LabelRef(name + "_done"))
	MOVQ(x, xp)
	MOVQ(out, op)
	MOVQ(n, cnt)
	Label(name + "_vec")
	CMPQ(cnt, Imm(uint64(v.lanes)))
	JL(LabelRef(name + "_tail"))
	vector(false)
	ADDQ(Imm(uint64(vb)), xp)
	ADDQ(Imm(uint64(vb)), op)
	SUBQ(Imm(uint64(v.lanes)), cnt)
	JMP(LabelRef(name + "_vec"))
	Label(name + "_tail")
	TESTQ(cnt, cnt)
	JE(LabelRef(name + "_next"))
	vector(true)
	Label(name + "_next")
	ADDQ(step, x)
	ADDQ(ldo, out)
	DECQ(rows)
	JMP(LabelRef(name + "_row"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
	for _, f := range cold {
		f()
	}
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
func lrn(v isa) {
	name := v.name + "LRN075"
	sig := "func(x *float32, ld, cnt int, xc, y *float32, n int, rsize, alpha, k float32, masks uint64)"
	if !v.mask {
		sig = "func(x *float32, ld, cnt int, xc, y *float32, n int, rsize, alpha, k float32, masks *[4][8]int32)"
	}
	TEXT(name, NOSPLIT, sig)
	Doc(name + " scales one channel by its window sum of squares to the power -0.75 (see lrn in kernels/_asm/genpool).")
	x, ld, cnt, xc, y, n := RSI, R8, R9, R10, RDI, R11
	p, i, next := RDX, RCX, R12
	Load(Param("x"), x)
	Load(Param("ld"), ld)
	SHLQ(Imm(2), ld)
	Load(Param("cnt"), cnt)
	// next follows the row after the window, the one the next channel
	// adds, prefetched a channel ahead (a prefetch past x does not fault).
	MOVQ(cnt, next)
	IMULQ(ld, next)
	ADDQ(x, next)
	Load(Param("xc"), xc)
	Load(Param("y"), y)
	Load(Param("n"), n)
	mk := loadMasks(v)
	rsize, alpha, k := v.vec(5), v.vec(6), v.vec(7)
	for _, b := range []struct {
		param string
		dst   VecPhysical
	}{{"rsize", rsize}, {"alpha", alpha}, {"k", k}} {
		avoutil.Broadcast(b.param, b.dst)
	}
	sum, xv, r, q := v.vec(0), v.vec(1), v.vec(2), v.vec(3)
	half, threeHalves, a0, t := v.vec(8), v.vec(9), v.vec(10), v.vec(11)
	if v.mask {
		MOVL(U32(math.Float32bits(0.5)), EAX)
		VPBROADCASTD(EAX, half)
		MOVL(U32(math.Float32bits(1.5)), EAX)
		VPBROADCASTD(EAX, threeHalves)
	}
	vb := v.lanes * 4
	var cold []func()

	// rsqrt emits dst = src^-0.5: VRSQRT14PS and a Newton step,
	// dst = a0*(1.5 - 0.5*src*a0*a0).
	rsqrt := func(src, dst VecPhysical) {
		VRSQRT14PS(src, a0)
		VMULPS(a0, src, t)
		VMULPS(a0, t, t)
		VFNMADD213PS(threeHalves, half, t)
		VMULPS(t, a0, dst)
	}
	// slow emits xv = xv / (r*sqrt(r)), r = sqrt(sum).
	slow := func() {
		VSQRTPS(sum, r)
		VSQRTPS(r, q)
		VMULPS(q, r, r)
		VDIVPS(r, xv, xv)
	}
	vector := func(tail bool) {
		l := label(name, tail)
		var km Op
		if tail {
			km = mk.out
		}
		PREFETCHT0(Mem{Base: next})
		MOVQ(x, p)
		load(v, Mem{Base: p}, km, sum)
		VMULPS(sum, sum, sum)
		MOVQ(cnt, i)
		Label(l + "_win")
		DECQ(i)
		JE(LabelRef(l + "_scale"))
		ADDQ(ld, p)
		load(v, Mem{Base: p}, km, xv)
		VMULPS(xv, xv, xv)
		VADDPS(xv, sum, sum)
		JMP(LabelRef(l + "_win"))
		Label(l + "_scale")
		VMULPS(rsize, sum, sum)
		VMULPS(alpha, sum, sum)
		VADDPS(k, sum, sum)
		load(v, Mem{Base: xc}, km, xv)
		if v.mask {
			VFPCLASSPSZ(Imm(0x7e), sum, K6) // ±0, ±inf, subnormal, negative
			KORTESTW(K6, K6)
			JNE(LabelRef(l + "_slow"))
			rsqrt(sum, r)
			rsqrt(r, q)
			VMULPS(r, r, r)
			VMULPS(q, r, r)
			VMULPS(r, xv, xv)
			cold = append(cold, func() {
				Label(l + "_slow")
				slow()
				JMP(LabelRef(l + "_store"))
			})
		} else {
			slow()
		}
		Label(l + "_store")
		store(v, xv, km, Mem{Base: y})
	}

	Label(name + "_vec")
	CMPQ(n, Imm(uint64(v.lanes)))
	JL(LabelRef(name + "_tail"))
	vector(false)
	ADDQ(Imm(uint64(vb)), x)
	ADDQ(Imm(uint64(vb)), next)
	ADDQ(Imm(uint64(vb)), xc)
	ADDQ(Imm(uint64(vb)), y)
	SUBQ(Imm(uint64(v.lanes)), n)
	JMP(LabelRef(name + "_vec"))
	Label(name + "_tail")
	TESTQ(n, n)
	JE(LabelRef(name + "_done"))
	vector(true)
	Label(name + "_done")
	VZEROUPPER()
	RET()
	for _, f := range cold {
		f()
	}
}

// deinterleave2 emits avx512Deinterleave2, the stride-2 split of a row
// (the even/odd columns the Winograd input transform reads):
//
//	for q < n (n a multiple of 16): even[q] = src[2q], odd[q] = src[2q+1]
func deinterleave2() {
	TEXT("avx512Deinterleave2", NOSPLIT, "func(even, odd, src *float32, n int)")
	Doc("avx512Deinterleave2 splits 2n floats into their even and odd ones, n a multiple of 16 (see deinterleave2 in kernels/_asm/genpool).")
	ev, od, src, n := RDI, RSI, RDX, RCX
	Load(Param("even"), ev)
	Load(Param("odd"), od)
	Load(Param("src"), src)
	Load(Param("n"), n)
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
	Label("deint2_done")
	VZEROUPPER()
	RET()
}
