// Command geni8 writes kernels/i8_amd64.s and its Go declarations with
// avo: the int8 GEMM micro-kernels (u8×s8→s32) behind kernels.I8Gemm. Run
// it through go generate in kernels.
//
// A kernel computes an m×(16·np) tile of C from m rows of A (uint8, read
// in place, lda bytes apart) and np panels of the packed B (int8, ps bytes
// apart; see kernels.PackedI8), over kg groups of 4 consecutive k:
//
//	for i < m, j < 16·np:
//	    s := accum ? c[i*ldc+j] : 0
//	    for g < kg, t < 4: s += int32(a[i*lda+4g+t]) * int32(b[(j/16)*ps + 64g + 4(j%16) + t])
//	    c[i*ldc+j] = s
//
// All arithmetic is on int32 (wrapping), so every kernel gives the same
// bits as the portable loop. The AVX-512 kernels run VPDPBUSD (AVX-512
// VNNI): one instruction adds 4 u8×s8 products into each of 16 int32
// lanes. The AVX2 kernels widen the bytes to int16 (zero-extending A,
// sign-extending B, the even and the odd k apart) and multiply-add pairs
// with VPMADDWD, whose int16×int16 pair sums (at most 2·255·128) cannot
// overflow; VPMADDUBSW, which saturates its pair sums at int16, is not
// used.
package main

import (
	"fmt"

	"github.com/alexnet-go/alexnet/kernels/_asm/internal/avoutil"
	"github.com/alexnet-go/alexnet/kernels/_asm/internal/consts"
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

func main() {
	avoutil.Run(func() {
		t := consts.AVX512I8Tiles
		for m := 1; m <= t.MR; m++ {
			for np := 1; np <= t.NP; np++ {
				avx512Kernel(m, np)
			}
		}
		for m := 1; m <= consts.AVX2I8Tiles.MR; m++ {
			avx2Kernel(m)
		}
	})
}

// rowBases hold the addresses of rows 0, 3 and 6 of A; rows between are
// addressed with lda (R8) as index, scale 1 or 2.
var rowBases = []GPPhysical{RSI, RDI, RBX}

// loadA loads the parameters kg (CX), a (SI), lda (R8) and sets the row
// bases of m rows.
func loadA(m int) {
	avoutil.Params("kg a lda", RCX, RSI, R8)
	for r := 3; r < m; r += 3 {
		LEAQ(Mem{Base: rowBases[r/3-1], Index: R8, Scale: 2}, rowBases[r/3])
		ADDQ(R8, rowBases[r/3])
	}
}

// rowA is the address of the current 4 bytes of row i of A.
func rowA(i int) Mem {
	m := Mem{Base: rowBases[i/3]}
	if i%3 > 0 {
		m.Index, m.Scale = R8, uint8(i%3)
	}
	return m
}

// nextGroup advances the row bases of m rows by 4 bytes and the B
// pointers by 64, then loops to label while groups are left.
func nextGroup(label string, m int, bs ...GPPhysical) {
	for r := 0; r < m; r += 3 {
		ADDQ(Imm(4), rowBases[r/3])
	}
	for _, b := range bs {
		ADDQ(Imm(64), b)
	}
	DECQ(RCX)
	JNZ(LabelRef(label))
}

// epilogue adds C's prior content to the accumulators when accum is
// nonzero (add) and stores them (store); row i's vector j is acc(i, j),
// at byte offset j*vb of the row.
func epilogue(name string, m, nv, vb int, acc func(i, j int) VecPhysical, add, store func(i, j int, mem Mem)) {
	avoutil.Params("c ldc", R12, R13)
	SHLQ(Imm(2), R13)
	Load(Param("accum"), RAX)
	TESTQ(RAX, RAX)
	JZ(LabelRef(name + "_store"))
	rows(m, func(i int) {
		for j := 0; j < nv; j++ {
			add(i, j, Mem{Base: R12, Disp: j * vb})
		}
	})
	Load(Param("c"), R12)
	Label(name + "_store")
	rows(m, func(i int) {
		for j := 0; j < nv; j++ {
			store(i, j, Mem{Base: R12, Disp: j * vb})
		}
	})
	avoutil.End()
}

// rows calls f for each row i < m, advancing R12 by ldc (R13) between.
func rows(m int, f func(i int)) {
	for i := 0; i < m; i++ {
		f(i)
		if i < m-1 {
			ADDQ(R13, R12)
		}
	}
}

// avx512Kernel emits i8Avx512Gemm{m}x{np}: accumulators Z0 to Z(m·np-1)
// (row-major), the group of B in Z24-Z27, A's broadcast in Z28/Z29; the
// last panel's lanes are those of mask (K1).
func avx512Kernel(m, np int) {
	name := fmt.Sprintf("i8Avx512Gemm%dx%d", m, np)
	avoutil.Func(name, "func(kg int, a *uint8, lda int, b *int8, ps int, c *int32, ldc int, accum int, mask uint32)",
		fmt.Sprintf("%s computes a %d×%d int32 tile of C with VPDPBUSD, the last 16 columns under mask (see kernels/_asm/geni8).", name, m, 16*np))
	loadA(m)
	avoutil.Params("b ps", R9, R11)
	if np > 2 {
		LEAQ(Mem{Base: R9, Index: R11, Scale: 2}, R10)
	}
	acc := func(i, j int) VecPhysical { return avoutil.ZRegs[i*np+j] }
	for i := 0; i < m*np; i++ {
		VPXORD(avoutil.ZRegs[i], avoutil.ZRegs[i], avoutil.ZRegs[i])
	}
	Label(name + "_loop")
	for j := 0; j < np; j++ {
		b := Mem{Base: []GPPhysical{R9, R10}[j/2]}
		if j%2 == 1 {
			b.Index, b.Scale = R11, 1
		}
		VMOVDQU32(b, avoutil.ZRegs[24+j])
	}
	for i := 0; i < m; i++ {
		za := avoutil.ZRegs[28+i%2]
		VPBROADCASTD(rowA(i), za)
		for j := 0; j < np; j++ {
			VPDPBUSD(avoutil.ZRegs[24+j], za, acc(i, j))
		}
	}
	bs := []GPPhysical{R9}
	if np > 2 {
		bs = append(bs, R10)
	}
	nextGroup(name+"_loop", m, bs...)
	Load(Param("mask"), EAX)
	KMOVW(EAX, K1)
	last := func(j int) bool { return j == np-1 }
	epilogue(name, m, np, 64, acc, func(i, j int, mem Mem) {
		if last(j) {
			VMOVDQU32_Z(mem, K1, Z30)
			VPADDD(Z30, acc(i, j), acc(i, j))
			return
		}
		VPADDD(mem, acc(i, j), acc(i, j))
	}, func(i, j int, mem Mem) {
		if last(j) {
			VMOVDQU32(acc(i, j), K1, mem)
			return
		}
		VMOVDQU32(acc(i, j), mem)
	})
}

// avx2Kernel emits i8Avx2Gemm{m}: one panel (16 columns, two YMM of 8),
// accumulators Y0 to Y(2m-1); per group B's even and odd k as int16 in
// Y8/Y9 (columns 0-7) and Y10/Y11 (8-15), A's in Y14/Y15, the words'
// low-byte mask in Y13, products in Y12.
func avx2Kernel(m int) {
	name := fmt.Sprintf("i8Avx2Gemm%d", m)
	avoutil.Func(name, "func(kg int, a *uint8, lda int, b *int8, c *int32, ldc int, accum int)",
		fmt.Sprintf("%s computes a %d×16 int32 tile of C with VPMADDWD (see kernels/_asm/geni8).", name, m))
	loadA(m)
	Load(Param("b"), R9)
	MOVL(U32(0x00ff00ff), EAX)
	VMOVD(EAX, X13)
	VPBROADCASTD(X13, Y13)
	acc := func(i, j int) VecPhysical { return avoutil.YRegs[2*i+j] }
	for i := 0; i < 2*m; i++ {
		VPXOR(avoutil.YRegs[i], avoutil.YRegs[i], avoutil.YRegs[i])
	}
	Label(name + "_loop")
	for v := 0; v < 2; v++ {
		even, odd := avoutil.YRegs[8+2*v], avoutil.YRegs[9+2*v]
		VMOVDQU(Mem{Base: R9, Disp: 32 * v}, Y12)
		VPSLLW(Imm(8), Y12, even)
		VPSRAW(Imm(8), even, even) // k = 0, 2: the low bytes, sign-extended
		VPSRAW(Imm(8), Y12, odd)   // k = 1, 3: the high bytes
	}
	for i := 0; i < m; i++ {
		VPBROADCASTD(rowA(i), Y14)
		VPSRLW(Imm(8), Y14, Y15) // a1, a3, zero-extended
		VPAND(Y13, Y14, Y14)     // a0, a2
		for v := 0; v < 2; v++ {
			VPMADDWD(avoutil.YRegs[8+2*v], Y14, Y12)
			VPADDD(Y12, acc(i, v), acc(i, v))
			VPMADDWD(avoutil.YRegs[9+2*v], Y15, Y12)
			VPADDD(Y12, acc(i, v), acc(i, v))
		}
	}
	nextGroup(name+"_loop", m, R9)
	epilogue(name, m, 2, 32, acc, func(i, j int, mem Mem) {
		VPADDD(mem, acc(i, j), acc(i, j))
	}, func(i, j int, mem Mem) {
		VMOVDQU(acc(i, j), mem)
	})
}
