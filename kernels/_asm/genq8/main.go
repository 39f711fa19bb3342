// Command genq8 writes kernels/q8_amd64.s and its Go declarations with
// avo: the AVX-512 and AVX2 kernels of the uint8 activation path behind
// QuantizeU8, MaxU8 and Im2colU8 (kernels/q8.go), RequantizeU8 and
// DequantizeF32 (kernels/i8requant.go). Run it through go generate in
// kernels.
//
// Each kernel runs its portable loop on every lane with the same float32
// operations, each rounded once (no FMA), so the results are the portable
// loop's bit for bit: VCVTDQ2PS and VCVTPS2DQ round to nearest even
// (MXCSR's default, as Go's int32 → float32 conversion and
// math.RoundToEven do), and clamping to integer bounds before VCVTPS2DQ is
// clamping the rounded value. Values are narrowed to bytes only once they
// lie in [0, 255] (VPMOVDB on AVX-512; VPACKSSDW and VPACKUSWB on AVX2,
// whose saturation then changes nothing, with VPERMD undoing their
// 128-bit-lane interleave).
//
// The AVX-512 kernels take any n, the last, partial vector under an opmask
// of its lanes (K1). The AVX2 kernels take n a multiple of their vector (8
// lanes; 32 bytes for MaxU8) and leave the rest to the Go wrappers in
// kernels/q8_amd64.go, but for Im2colU8, which moves any row itself. No
// kernel reads or writes an element of a row at or past n.
package main

import (
	"fmt"

	"github.com/alexnet-go/alexnet/kernels/_asm/internal/avoutil"
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// ordQ is VCMPPS's predicate "ordered, quiet": neither operand is NaN.
const ordQ = 7

// unroll is the number of vectors a loop step handles while n allows.
const unroll = 4

// packOrder is the VPERMD index that puts the dwords of VPACKUSWB's
// result in order: dword i of four packed vectors a, b, c, d is at
// i/2 + 4*(i%2) (a0-3 b0-3 c0-3 d0-3 | a4-7 b4-7 c4-7 d4-7).
var packOrder Mem

func main() {
	avoutil.Run(tables, func() {
		for _, v := range []avoutil.ISA{avoutil.AVX512, avoutil.AVX2} {
			quantize(v)
			maxU8(v)
			requant(v)
			dequant(v)
			im2col(v)
		}
		interleave3()
	})
}

// interleave3Masks holds, 16 bytes each at 16·(3o+c), the VPSHUFB
// controls that move the bytes of plane c (16 pixels) to their places in
// 16-byte chunk o of the 48 interleaved bytes, zeroing the others: byte
// q = 16o+p of the output is pixel q/3 of plane q%3.
var interleave3Masks Mem

// tables emits packOrder and interleave3Masks.
func tables() {
	packOrder = avoutil.Table32("q8PackOrder", 8, func(i int) uint32 { return uint32(i/2 + 4*(i%2)) })
	interleave3Masks = avoutil.Table32("q8Interleave3Masks", 36, func(i int) uint32 {
		o, c := i/4/3, i/4%3
		var w uint32
		for b := 3; b >= 0; b-- {
			q, v := 16*o+4*(i%4)+b, uint32(0x80)
			if q%3 == c {
				v = uint32(q / 3)
			}
			w = w<<8 | v
		}
		return w
	})
}

// Vector registers (by number, the same for both ISAs): the vectors of a
// loop step are 0 to unroll-1.
const (
	scratchReg = 4  // a masked operand (AVX-512), a compare mask or a half (AVX2)
	permReg    = 11 // packOrder (AVX2)
)

// loop emits the loop over the n elements of a row, j counting them from
// 0 (t is scratch): body(unroll, nil) for each step of unroll vectors of
// width elements, then body(1, nil) for each remaining whole vector, then
// on AVX-512 body(1, K1) for the last, partial one. It falls through to
// the label name+"_end". body must leave j and t alone.
func loop(name string, v avoutil.ISA, width int, n, j, t GPPhysical, body func(u int, k Op)) {
	XORQ(j, j)
	step := func(l, next string, u int) {
		Label(l)
		LEAQ(Mem{Base: j, Disp: u * width}, t)
		CMPQ(t, n)
		JGT(LabelRef(next))
		body(u, nil)
		MOVQ(t, j)
		JMP(LabelRef(l))
	}
	step(name+"_blk", name+"_one", unroll)
	step(name+"_one", name+"_tail", 1)
	Label(name + "_tail")
	if v.Mask {
		CMPQ(j, n)
		JGE(LabelRef(name + "_end"))
		body(1, K1)
	}
	Label(name + "_end")
}

// rows emits the loop over m rows around row, which emits one row; then
// each pair of bases advances the first by the second (its stride in
// bytes). It ends the function.
func rows(name string, m GPPhysical, row func(), bases ...[2]GPPhysical) {
	Label(name + "_row")
	TESTQ(m, m)
	JE(LabelRef(name + "_done"))
	row()
	for _, b := range bases {
		ADDQ(b[1], b[0])
	}
	DECQ(m)
	JMP(LabelRef(name + "_row"))
	avoutil.EndAt(name + "_done")
}

// col is the address of vector i of the current step of a row of 4-byte
// elements at base, j the step's first element.
func col(v avoutil.ISA, base, j GPPhysical, i int) Mem {
	return Mem{Base: base, Index: j, Scale: 4, Disp: i * v.VecBytes()}
}

// operand is the vector at m as a source operand: m itself for a full
// vector, else its lanes of k loaded into the scratch register (zeroing
// the others).
func operand(v avoutil.ISA, m Mem, k Op) Op {
	if k == nil {
		return m
	}
	s := v.Vec(scratchReg)
	v.Load(m, k, s)
	return s
}

// storeBytes narrows the int32 lanes, each in [0, 255], of the step's u
// vectors to bytes and stores them in order at m: under the opmask k on
// AVX-512 when k is not nil; on AVX2 u is unroll (32 bytes) or 1 (8 bytes).
func storeBytes(v avoutil.ISA, u int, k Op, m Mem) {
	if v.Mask {
		for i := 0; i < u; i++ {
			mi := m
			mi.Disp += 16 * i
			if k != nil {
				VPMOVDB(v.Vec(i), k, mi)
			} else {
				VPMOVDB(v.Vec(i), mi)
			}
		}
		return
	}
	if u == unroll {
		a, b, c, d := Y0, Y1, Y2, Y3
		VPACKSSDW(b, a, a) // words a0-3 b0-3 | a4-7 b4-7
		VPACKSSDW(d, c, c)
		VPACKUSWB(c, a, a) // bytes a0-3 b0-3 c0-3 d0-3 | a4-7 b4-7 c4-7 d4-7
		VPERMD(a, avoutil.YRegs[permReg], a)
		VMOVDQU(a, m)
		return
	}
	hi := avoutil.XRegs[scratchReg]
	VEXTRACTI128(Imm(1), Y0, hi)
	VPACKSSDW(hi, X0, X0)
	VPACKUSWB(X0, X0, X0)
	VMOVQ(X0, m)
}

// quantize emits <isa>QuantizeU8, QuantizeU8's loop over n floats with its
// clamp shifted by the zero point, lo = qmin-zp and hi = qmax-zp:
//
//	p := x[i] * inv                 (NaN → 0: lanes failing an ordered compare)
//	dst[i] = uint8(int32(RoundToEven(min(max(p, lo), hi))) + zp)
func quantize(v avoutil.ISA) {
	name := v.Name + "QuantizeU8"
	avoutil.Func(name, "func(dst *uint8, x *float32, n int, inv float32, zp int32, lo, hi float32)",
		name+" sets dst[i] = clamp(RoundToEven(x[i]*inv), lo, hi) + zp for i < n, a NaN product as 0 (see quantize in kernels/_asm/genq8).")
	dst, x, n, j, t := RDI, RSI, R8, RBX, RDX
	avoutil.Params("dst x n", dst, x, n)
	inv, lo, hi, zp := v.Vec(12), v.Vec(13), v.Vec(14), v.Vec(15)
	avoutil.Broadcast("inv", inv)
	avoutil.Broadcast("lo", lo)
	avoutil.Broadcast("hi", hi)
	broadcastInt32("zp", zp)
	prologue(v, n)
	loop(name, v, v.Lanes, n, j, t, func(u int, k Op) {
		for i := 0; i < u; i++ {
			r, src := v.Vec(i), col(v, x, j, i)
			switch {
			case k != nil:
				VMULPS_Z(src, inv, k, r)
			default:
				VMULPS(src, inv, r)
			}
			if v.Mask {
				VCMPPS(Imm(ordQ), r, r, K2)
				VMAXPS_Z(lo, r, K2, r) // NaN lanes zeroed
			} else {
				s := v.Vec(scratchReg)
				VCMPPS(Imm(ordQ), r, r, s)
				VANDPS(s, r, r) // NaN → +0
				VMAXPS(lo, r, r)
			}
			VMINPS(hi, r, r)
			VCVTPS2DQ(r, r)
			VPADDD(zp, r, r)
		}
		storeBytes(v, u, k, Mem{Base: dst, Index: j, Scale: 1})
	})
	avoutil.End()
}

// broadcastInt32 fills z with the int32 parameter name, moved as the 32
// bits of a float (go vet's asmdecl rejects VPBROADCASTD of a 4-byte
// parameter).
func broadcastInt32(name string, z VecPhysical) {
	VBROADCASTSS(avoutil.ParamAddr(name), z)
}

// prologue sets K1 to the lanes of the last, partial vector of n floats
// (AVX-512; AX and CX are clobbered), or loads packOrder (AVX2).
func prologue(v avoutil.ISA, n GPPhysical) {
	if v.Mask {
		avoutil.TailMask(n, K1)
		return
	}
	VMOVDQU(packOrder, avoutil.YRegs[permReg])
}

// maxU8 emits <isa>MaxU8: dst[i] = max(a[i], b[i]) for i < n (unsigned
// bytes). A step loads a vector of a and of b before it stores that of
// dst, so dst may be a or b.
func maxU8(v avoutil.ISA) {
	name := v.Name + "MaxU8"
	avoutil.Func(name, "func(dst, a, b *uint8, n int)",
		name+" sets dst[i] = max(a[i], b[i]) for i < n (see maxU8 in kernels/_asm/genq8).")
	dst, a, b, n, j, t := RDI, RSI, R9, R8, RBX, RDX
	avoutil.Params("dst a b n", dst, a, b, n)
	vb := v.VecBytes()
	if v.Mask {
		byteTailMask(n)
	}
	loop(name, v, vb, n, j, t, func(u int, k Op) {
		for i := 0; i < u; i++ {
			at := func(base GPPhysical) Mem { return Mem{Base: base, Index: j, Scale: 1, Disp: i * vb} }
			r := v.Vec(i)
			switch {
			case k != nil:
				s := v.Vec(scratchReg)
				VMOVDQU8_Z(at(a), k, r)
				VMOVDQU8_Z(at(b), k, s)
				VPMAXUB(s, r, r)
				VMOVDQU8(r, k, at(dst))
			case v.Mask:
				VMOVDQU64(at(a), r)
				VPMAXUB(at(b), r, r)
				VMOVDQU64(r, at(dst))
			default:
				VMOVDQU(at(a), r)
				VPMAXUB(at(b), r, r)
				VMOVDQU(r, at(dst))
			}
		}
	})
	avoutil.End()
}

// byteTailMask sets K1 to the n%64 bytes of the last, partial vector of
// n bytes (AVX-512); AX and CX are clobbered.
func byteTailMask(n GPPhysical) {
	MOVQ(n, RCX)
	ANDQ(Imm(uint64(avoutil.AVX512.VecBytes()-1)), RCX)
	MOVL(U32(1), EAX)
	SHLQ(CL, RAX)
	DECQ(RAX)
	KMOVQ(RAX, K1)
}

// requant emits <isa>RequantU8, RequantizeU8's loop over the per-column
// terms with its clamp shifted by the zero point zout, lo = (ReLU ? zout :
// 0) - zout and hi = 255 - zout:
//
//	for i < m, j < n:
//	    x := float32(c[i*ldc+j] - off[j]) + bq[j]
//	    dst[i*ldd+j] = uint8(int32(RoundToEven(min(max(x*mult[j], lo), hi))) + zout)
//
// ldc in int32s, ldd in bytes. The terms must be finite, so that no lane
// is NaN.
func requant(v avoutil.ISA) {
	name := v.Name + "RequantU8"
	avoutil.Func(name, "func(dst *uint8, ldd int, c *int32, ldc, m, n int, off *int32, bq, mult *float32, lo, hi float32, zout int32)",
		name+" requantizes m rows of n int32 sums of c into dst with the per-column terms off, bq and mult (see requant in kernels/_asm/genq8).")
	dst, ldd, c, ldc, m, n := RDI, R8, RSI, R9, R10, R11
	off, bq, mult, j, t := R12, R13, R14, RBX, RDX
	avoutil.Params("dst ldd c ldc*4 m n off bq mult", dst, ldd, c, ldc, m, n, off, bq, mult)
	lo, hi, zout := v.Vec(13), v.Vec(14), v.Vec(15)
	avoutil.Broadcast("lo", lo)
	avoutil.Broadcast("hi", hi)
	broadcastInt32("zout", zout)
	prologue(v, n)
	rows(name, m, func() {
		loop(name, v, v.Lanes, n, j, t, func(u int, k Op) {
			for i := 0; i < u; i++ {
				r := v.Vec(i)
				v.Load(col(v, c, j, i), k, r)
				VPSUBD(operand(v, col(v, off, j, i), k), r, r)
				VCVTDQ2PS(r, r)
				VADDPS(operand(v, col(v, bq, j, i), k), r, r)
				VMULPS(operand(v, col(v, mult, j, i), k), r, r)
				VMAXPS(lo, r, r)
				VMINPS(hi, r, r)
				VCVTPS2DQ(r, r)
				VPADDD(zout, r, r)
			}
			storeBytes(v, u, k, Mem{Base: dst, Index: j, Scale: 1})
		})
	}, [2]GPPhysical{dst, ldd}, [2]GPPhysical{c, ldc})
}

// dequant emits <isa>DequantF32, DequantizeF32's loop over the per-column
// terms, with lo 0 for the ReLU and -Inf without:
//
//	for i < m, j < n:
//	    y := float32(float32(c[i*ldc+j] - off[j]) * scale[j]) + bias[j]
//	    dst[i*ldd+j] = lo > y ? lo : y
//
// (VMAXPS with lo first: y where y is NaN or -0, as the portable loop's
// "if y < 0 { y = 0 }"). ldc and ldd in elements.
func dequant(v avoutil.ISA) {
	name := v.Name + "DequantF32"
	avoutil.Func(name, "func(dst *float32, ldd int, c *int32, ldc, m, n int, off *int32, scale, bias *float32, lo float32)",
		name+" dequantizes m rows of n int32 sums of c into dst with the per-column terms off, scale and bias (see dequant in kernels/_asm/genq8).")
	dst, ldd, c, ldc, m, n := RDI, R8, RSI, R9, R10, R11
	off, scale, bias, j, t := R12, R13, R14, RBX, RDX
	avoutil.Params("dst ldd*4 c ldc*4 m n off scale bias", dst, ldd, c, ldc, m, n, off, scale, bias)
	lo := v.Vec(15)
	avoutil.Broadcast("lo", lo)
	if v.Mask {
		avoutil.TailMask(n, K1)
	}
	rows(name, m, func() {
		loop(name, v, v.Lanes, n, j, t, func(u int, k Op) {
			for i := 0; i < u; i++ {
				r := v.Vec(i)
				v.Load(col(v, c, j, i), k, r)
				VPSUBD(operand(v, col(v, off, j, i), k), r, r)
				VCVTDQ2PS(r, r)
				VMULPS(operand(v, col(v, scale, j, i), k), r, r)
				VADDPS(operand(v, col(v, bias, j, i), k), r, r)
				VMAXPS(r, lo, r) // Intel order: lo > r ? lo : r
				v.Store(r, k, col(v, dst, j, i))
			}
		})
	}, [2]GPPhysical{dst, ldd}, [2]GPPhysical{c, ldc})
}

// im2col emits <isa>Im2colU8, Im2colU8's copy of the k rows of kc bytes
// of n windows (n, k, kc > 0):
//
//	for p < n, ky < k:
//	    dst[p*ldd+ky*kc : p*ldd+(ky+1)*kc] = src[p*step+ky*row : p*step+ky*row+kc]
//
// A row shorter than two vectors moves at once: on AVX-512, below 64
// bytes, under the opmask K1 of its kc bytes; on AVX2, up to 64 bytes, as
// its first and its last w bytes for the widest w of pairMoves not above
// kc (the two overlap unless kc = 2w, the bytes in both written twice
// with the same values), or as its one byte. A longer row moves in whole
// vectors, unroll at a time while kc allows, then its rest: on AVX-512 the
// last, partial vector under the opmask K1 of its kc%64 bytes; on AVX2
// the vector ending at the row's end, overlapping the one before it. Each
// size has its own copy of the loop over the rows, so a row takes no
// branch on kc. No byte outside a row is read or written.
func im2col(v avoutil.ISA) {
	name := v.Name + "Im2colU8"
	avoutil.Func(name, "func(dst *uint8, ldd int, src *uint8, step, row, kc, k, n int)",
		name+" copies the k rows of kc bytes of n windows of src, step bytes apart, their rows row bytes apart, to the rows of dst, ldd bytes apart (see im2col in kernels/_asm/genq8).")
	dst, ldd, src, step, row, kc, k, n := RDI, R8, RSI, R9, R10, R11, R12, R13
	ky, j, t := R14, RBX, RDX
	avoutil.Params("dst ldd src step row kc k n", dst, ldd, src, step, row, kc, k, n)
	// dst and src move on to a window's next row; ldd and step become the
	// moves from the end of a window's last row to the next window.
	MOVQ(k, t)
	IMULQ(kc, t)
	SUBQ(t, ldd)
	MOVQ(k, t)
	IMULQ(row, t)
	SUBQ(t, step)
	// windows emits the loop over the windows and their rows around move,
	// which moves the row at src to dst; it ends the function.
	windows := func(label string, move func()) {
		rows(label, n, func() {
			MOVQ(k, ky)
			Label(label + "_ky")
			move()
			ADDQ(kc, dst)
			ADDQ(row, src)
			DECQ(ky)
			JNZ(LabelRef(label + "_ky"))
		}, [2]GPPhysical{dst, ldd}, [2]GPPhysical{src, step})
	}
	first := Mem{Base: dst}
	last := func(base GPPhysical, w int) Mem { return Mem{Base: base, Index: kc, Scale: 1, Disp: -w} }
	vb, long := v.VecBytes(), name+"_long"
	if v.Mask {
		byteTailMask(kc)
		CMPQ(kc, U8(vb))
		JGE(LabelRef(long))
		windows(name+"_short", func() {
			VMOVDQU8_Z(Mem{Base: src}, K1, Z0)
			VMOVDQU8(Z0, K1, first)
		})
	} else {
		CMPQ(kc, U8(2*vb))
		JG(LabelRef(long))
		for _, m := range pairMoves {
			next := fmt.Sprintf("%s_lt%d", name, m.w)
			CMPQ(kc, U8(m.w))
			JL(LabelRef(next))
			windows(fmt.Sprintf("%s_%d", name, m.w), func() {
				m.mov(Mem{Base: src}, m.a)
				m.mov(last(src, m.w), m.b)
				m.mov(m.a, first)
				m.mov(m.b, last(dst, m.w))
			})
			Label(next)
		}
		windows(name+"_1", func() {
			MOVB(Mem{Base: src}, AL)
			MOVB(AL, first)
		})
	}
	Label(long)
	windows(long, func() {
		loop(long, v, vb, kc, j, t, func(u int, k Op) {
			for i := 0; i < u; i++ {
				at := func(base GPPhysical) Mem { return Mem{Base: base, Index: j, Scale: 1, Disp: i * vb} }
				r := v.Vec(i)
				switch {
				case k != nil:
					VMOVDQU8_Z(at(src), k, r)
					VMOVDQU8(r, k, at(dst))
				case v.Mask:
					VMOVDQU64(at(src), r)
					VMOVDQU64(r, at(dst))
				default:
					VMOVDQU(at(src), r)
					VMOVDQU(r, at(dst))
				}
			}
		})
		if !v.Mask {
			CMPQ(j, kc)
			JGE(LabelRef(long + "_moved"))
			VMOVDQU(last(src, vb), Y0)
			VMOVDQU(Y0, last(dst, vb))
			Label(long + "_moved")
		}
	})
}

// pairMoves are the moves of a row of 2 to 64 bytes on AVX2, widest
// first, each through its two registers.
var pairMoves = []struct {
	w    int
	mov  func(Op, Op)
	a, b Op
}{{32, VMOVDQU, Y0, Y1}, {16, VMOVDQU, X0, X1}, {8, MOVQ, RAX, RCX}, {4, MOVL, EAX, ECX}, {2, MOVW, AX, CX}}

// interleave3 emits q8Interleave3U8, Interleave3U8's loop over n pixels, n
// a multiple of 16, for both ISAs (128-bit VEX): each step loads 16 bytes
// of each plane and writes the 48 interleaved bytes as three 16-byte
// chunks, each the OR of the three planes shuffled by interleave3Masks.
func interleave3() {
	name := "q8Interleave3U8"
	avoutil.Func(name, "func(dst, red, green, blue *uint8, n int)",
		name+" sets dst[3i], dst[3i+1], dst[3i+2] = red[i], green[i], blue[i] for i < n, n a multiple of 16 (see interleave3 in kernels/_asm/genq8).")
	dst, r, g, b, n := RDI, RSI, R9, R10, R8
	avoutil.Params("dst red green blue n", dst, r, g, b, n)
	masks := avoutil.XRegs[5:14]
	for o := range 3 {
		for c := range 3 {
			m := interleave3Masks
			m.Disp += 16 * (3*o + c)
			VMOVDQU(m, masks[3*o+c])
		}
	}
	planes, acc, t := avoutil.XRegs[0:3], avoutil.XRegs[3], avoutil.XRegs[4]
	Label(name + "_loop")
	CMPQ(n, U8(16))
	JL(LabelRef(name + "_done"))
	for c, base := range []GPPhysical{r, g, b} {
		VMOVDQU(Mem{Base: base}, planes[c])
	}
	for o := range 3 {
		VPSHUFB(masks[3*o], planes[0], acc)
		for c := 1; c < 3; c++ {
			VPSHUFB(masks[3*o+c], planes[c], t)
			VPOR(t, acc, acc)
		}
		VMOVDQU(acc, Mem{Base: dst, Disp: 16 * o})
	}
	for _, base := range []GPPhysical{r, g, b} {
		ADDQ(U8(16), base)
	}
	ADDQ(U8(48), dst)
	SUBQ(U8(16), n)
	JMP(LabelRef(name + "_loop"))
	avoutil.EndAt(name + "_done")
}
