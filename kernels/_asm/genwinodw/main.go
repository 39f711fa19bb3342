// Command genwinodw writes kernels/winodw_amd64.s and its Go declarations
// with avo: the AVX-512 transform W = A dY Aᵀ of the Winograd weight
// gradient (kernels/winograd_filter.go) for α = 4 (F(2×2, 3×3)) and α = 6
// (F(2×2, 5×5)). Run it through go generate in kernels.
//
// A kernel transforms one 2×2 tile dY of n channels, 16 at a time: the
// four values of a channel are lanes of the rows y0 = dY[0][0], y1 =
// dY[0][1], y2 = dY[1][0] and y3 = dY[1][1], and W[ξ] goes to the 16
// lanes at w + ξ·xiStride. The last, partial vector runs under an opmask
// of its n%16 lanes: nothing at or past n is read or written.
//
// Every entry of W is a pair c0·u + c1·v of two values of the stage before
// (dY·Aᵀ, then A·(dY·Aᵀ)) with coefficients from Aᵀ's columns, c0 in
// {0, 1} and c1 in {0, ±1, ±2}: each product is exact, a term with a zero
// coefficient is left out, and the one sum is rounded once, the same bits
// as winoPair in the portable loop.
package main

import (
	"fmt"

	"github.com/alexnet-go/alexnet/kernels/_asm/internal/avoutil"
	"github.com/alexnet-go/alexnet/kernels/_asm/internal/consts"
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// at are the Aᵀ of kernels/winograd.go (winoAT4, winoAT6 written by
// genconsts from the same matrices), 2×α, by α.
var at = map[int][][]float32{4: consts.WinoAT4, 6: consts.WinoAT6}

func main() {
	avoutil.Run(func() { dyTransform(4) }, func() { dyTransform(6) })
}

// coefRegs are the registers holding broadcast -1, 2 and -2.
var coefRegs = map[float32]VecPhysical{-1: Z29, 2: Z30, -2: Z31}

// pair emits c0·u + c1·v (see the package comment) and returns the
// register that holds it: u or v itself when the pair is a plain copy,
// otherwise dst.
func pair(c0, c1 float32, u, v, dst VecPhysical) VecPhysical {
	switch {
	case c0 == 0 && c1 == 1:
		return v
	case c0 == 0:
		VMULPS(coefRegs[c1], v, dst)
		return dst
	case c1 == 0:
		if c0 != 1 {
			panic("c0 must be 0 or 1")
		}
		return u
	case c0 != 1:
		panic("c0 must be 0 or 1")
	case c1 == 1:
		VADDPS(v, u, dst)
	case c1 == -1:
		VSUBPS(v, u, dst) // u + (-v) and u - v round alike
	default:
		VMULPS(coefRegs[c1], v, dst)
		VADDPS(dst, u, dst)
	}
	return dst
}

// dyTransform: for channels i < n, with Y = [y0 y1; y2 y3][i],
//
//	w[ξ·xiStride + i] = (A Y Aᵀ)[ξ], ξ = r·α + q
func dyTransform(alpha int) {
	name := fmt.Sprintf("avx512WinoDy%d", alpha)
	avoutil.Func(name, "func(w *float32, xiStride int, y0, y1, y2, y3 *float32, n int)", fmt.Sprintf("%s sets w[ξ·xiStride+i] = (A Y Aᵀ)[ξ] for the α×α = %d×%d transform of the 2×2 tile Y = [y0 y1; y2 y3][i], i < n (see winoDyGo in kernels/winograd_filter.go).", name, alpha, alpha))
	w, stride, n, ptr := RDI, RSI, R12, R13
	ys := []GPPhysical{R8, R9, R10, R11}
	avoutil.Params("w xiStride*4 y0 y1 y2 y3 n", w, stride, ys[0], ys[1], ys[2], ys[3], n)
	for _, c := range []float32{-1, 2, -2} {
		avoutil.SplatF32(c, coefRegs[c])
	}
	t := at[alpha]
	avoutil.Loop16(name, n, func(off GPPhysical, k Op) {
		y := []VecPhysical{Z0, Z1, Z2, Z3}
		for i := range y {
			avoutil.Load16(Mem{Base: ys[i], Index: off, Scale: 1}, k, y[i])
		}
		// e = Y·Aᵀ, rows 0 and 1: e[i][q] = at[0][q]·Y[i][0] + at[1][q]·Y[i][1].
		var e [2][]VecPhysical
		next := 4
		for i := 0; i < 2; i++ {
			for q := 0; q < alpha; q++ {
				e[i] = append(e[i], pair(t[0][q], t[1][q], y[2*i], y[2*i+1], avoutil.ZRegs[next]))
				next++
			}
		}
		// W[r][q] = at[0][r]·e[0][q] + at[1][r]·e[1][q], stored as computed.
		MOVQ(w, ptr)
		ADDQ(off, ptr)
		for r := 0; r < alpha; r++ {
			for q := 0; q < alpha; q++ {
				v := pair(t[0][r], t[1][r], e[0][q], e[1][q], Z28)
				avoutil.Store16(v, k, Mem{Base: ptr})
				ADDQ(stride, ptr)
			}
		}
	}, nil)
}
