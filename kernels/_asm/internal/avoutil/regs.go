package avoutil

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The vector registers by number.
var (
	ZRegs = []VecPhysical{Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15,
		Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27, Z28, Z29, Z30, Z31}
	YRegs = []VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15}
	XRegs = []VecPhysical{X0, X1, X2, X3, X4, X5, X6, X7, X8, X9, X10, X11, X12, X13, X14, X15}
)

// ISA describes one vector instruction set: the float32 kernels that come
// in an AVX-512 and an AVX2 flavour are emitted once per ISA.
type ISA struct {
	Name  string // function name prefix: "avx512", "avx2"
	Lanes int    // float32 lanes per vector register
	Vec   func(i int) VecPhysical
	Mask  bool // AVX-512 opmasks (else full vectors or VMASKMOVPS masks)
}

// AVX512 and AVX2 are the two ISAs of the float32 kernels.
var (
	AVX512 = ISA{"avx512", 16, func(i int) VecPhysical { return ZRegs[i] }, true}
	AVX2   = ISA{"avx2", 8, func(i int) VecPhysical { return YRegs[i] }, false}
)

// VecBytes is the size of one vector register in bytes.
func (v ISA) VecBytes() int { return 4 * v.Lanes }

// Load moves the vector at m into dst; when mask is not nil, only its
// lanes (an opmask on AVX-512, zeroing the others; a VMASKMOVPS mask
// vector on AVX2).
func (v ISA) Load(m Mem, mask Op, dst VecPhysical) {
	switch {
	case mask == nil:
		VMOVUPS(m, dst)
	case v.Mask:
		VMOVUPS_Z(m, mask, dst)
	default:
		VMASKMOVPS(m, mask, dst)
	}
}

// Store writes the vector src to m; when mask is not nil, only its lanes.
func (v ISA) Store(src VecPhysical, mask Op, m Mem) {
	switch {
	case mask == nil:
		VMOVUPS(src, m)
	case v.Mask:
		VMOVUPS(src, mask, m)
	default:
		VMASKMOVPS(src, mask, m)
	}
}
