// Command genbn writes kernels/bn_amd64.s and its Go declarations with
// avo: the AVX-512 plane kernels behind BatchNormApply and
// BatchNormBackward (kernels/batchnorm.go). Run it through go generate in
// kernels.
//
// Each kernel handles one plane of n floats, 16 at a time, the last
// partial vector under an opmask of its n%16 lanes: no kernel reads or
// writes a float at or past n. The ReLU variants take the ReLU's output y
// and treat a position as active where y > 0 (an ordered compare: NaN is
// inactive), as the portable loops do.
package main

import (
	"fmt"

	"github.com/alexnet-go/alexnet/kernels/_asm/internal/avoutil"
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// gtOQ is VCMPPS's predicate "greater than, ordered, quiet".
const gtOQ = 0x1e

func main() {
	avoutil.Run(func() {
		for _, relu := range []bool{false, true} {
			apply(relu)
			sums(relu)
			dx(relu)
		}
	})
}

// suffix names the ReLU variant of a kernel.
func suffix(relu bool) string {
	if relu {
		return "ReLU"
	}
	return ""
}

// begin starts the backward kernel base (its ReLU variant with relu), of
// the Go parameters x, dy, then y with relu, then out if not "" (all
// *float32), then rest, and loads x, dy and y. Its doc comment is docFmt
// of the name and, with relu, reluDoc. It returns the name.
func begin(base string, relu bool, out, rest, docFmt, reluDoc string, x, dy, y GPPhysical) string {
	name, ptrs := base+suffix(relu), "x, dy"
	if relu {
		ptrs += ", y"
	} else {
		reluDoc = ""
	}
	if out != "" {
		ptrs += ", " + out
	}
	avoutil.Func(name, "func("+ptrs+" *float32, "+rest+")", fmt.Sprintf(docFmt, name, reluDoc))
	avoutil.Params("x dy", x, dy)
	if relu {
		Load(Param("y"), y)
	}
	return name
}

// active sets K2 to the lanes that take part: those of k (all when k is
// nil) where, with relu, y > 0. It returns K2, or nil when every lane of a
// full vector takes part.
func active(relu bool, y Mem, k Op, zero VecPhysical) Op {
	if !relu {
		return k
	}
	avoutil.Load16(y, k, Z7) // zeroed lanes compare false
	VCMPPS(Imm(gtOQ), zero, Z7, K2)
	return K2
}

// apply: y[i] = fma(x[i], a, b) for i < n (one rounding), then with relu
// y[i] = max(0, y[i]) keeping NaN and -0.
func apply(relu bool) {
	name := "avx512BNApply" + suffix(relu)
	avoutil.Func(name, "func(x, y *float32, n int, a, b float32)", fmt.Sprintf("%s sets y[i] = fma(x[i], a, b) for i < n%s (see bnApplyGo in kernels/batchnorm.go).", name,
		map[bool]string{false: "", true: ", then max(0, y[i]) with NaN and -0 kept"}[relu]))
	x, y, n := RDI, RSI, R8
	avoutil.Params("x y n", x, y, n)
	avoutil.Broadcast("a", Z1)
	avoutil.Broadcast("b", Z2)
	VXORPS(Z3, Z3, Z3)
	avoutil.Loop16(name, n, func(off GPPhysical, k Op) {
		avoutil.Load16(Mem{Base: x, Index: off, Scale: 1}, k, Z0)
		VFMADD213PS(Z2, Z1, Z0) // x*a + b
		if relu {
			VMAXPS(Z0, Z3, Z0) // max(0, v): v where v is NaN or ±0
		}
		avoutil.Store16(Z0, k, Mem{Base: y, Index: off, Scale: 1})
	}, nil)
}

// sums: for i < n over the active positions, with j = i%16,
//
//	acc[j]    += float64(dy[i])
//	acc[16+j] += float64(float32(float32(x[i]-mu) * dy[i]))
func sums(relu bool) {
	x, dy, y, n, acc := RDI, RSI, R9, R8, R10
	name := begin("avx512BNSums", relu, "", "n int, mu float32, acc *[32]float64",
		"%s adds each active dy[i] and float32(x[i]-mu)*dy[i], i < n, into the float64 lanes acc[i%%16] and acc[16+i%%16]%s (see bnSumsGo in kernels/batchnorm.go).",
		"; i is active where y[i] > 0", x, dy, y)
	avoutil.Params("n acc", n, acc)
	avoutil.Broadcast("mu", Z1)
	VXORPS(Z3, Z3, Z3)
	accs := []VecPhysical{Z10, Z11, Z12, Z13} // sum lo, hi; dotp lo, hi
	for i, a := range accs {
		VMOVUPD(Mem{Base: acc, Disp: 64 * i}, a)
	}
	avoutil.Loop16(name, n, func(off GPPhysical, k Op) {
		at := func(b GPPhysical) Mem { return Mem{Base: b, Index: off, Scale: 1} }
		k = active(relu, at(y), k, Z3)
		avoutil.Load16(at(dy), k, Z4) // dz
		avoutil.Load16(at(x), k, Z5)  // x
		VSUBPS(Z1, Z5, Z5)            // x - mu
		if k == nil {
			VMULPS(Z4, Z5, Z5) // (x - mu)*dz
		} else {
			VMULPS_Z(Z4, Z5, k, Z5) // inactive lanes +0
		}
		for i, v := range []VecPhysical{Z4, Z5} {
			VCVTPS2PD(v.AsY(), Z8)
			VEXTRACTF32X8(Imm(1), v, Y9)
			VCVTPS2PD(Y9, Z9)
			VADDPD(Z8, accs[2*i], accs[2*i])
			VADDPD(Z9, accs[2*i+1], accs[2*i+1])
		}
	}, func() {
		for i, a := range accs {
			VMOVUPD(a, Mem{Base: acc, Disp: 64 * i})
		}
	})
}

// dx: for i < n, with d = dy[i] (0 where inactive),
//
//	dx[i] = float32(float32(d - gm - float32(float32(x[i]-mu)*k)) * is) * w
func dx(relu bool) {
	x, dy, y, out, n := RDI, RSI, R9, R10, R8
	name := begin("avx512BNDx", relu, "dx", "n int, mu, k, gm, is, w float32",
		"%s sets dx[i] = ((d - gm - (x[i]-mu)*k)*is)*w for i < n, rounding each operation to float32, with d = dy[i]%s (see bnDxGo in kernels/batchnorm.go).",
		", or 0 where !(y[i] > 0)", x, dy, y)
	avoutil.Params("dx n", out, n)
	for i, p := range []string{"mu", "k", "gm", "is", "w"} {
		avoutil.Broadcast(p, []VecPhysical{Z1, Z2, Z4, Z5, Z6}[i])
	}
	VXORPS(Z3, Z3, Z3)
	avoutil.Loop16(name, n, func(off GPPhysical, k Op) {
		at := func(b GPPhysical) Mem { return Mem{Base: b, Index: off, Scale: 1} }
		tail := k
		k = active(relu, at(y), k, Z3)
		avoutil.Load16(at(dy), k, Z8) // d
		avoutil.Load16(at(x), tail, Z9)
		VSUBPS(Z1, Z9, Z9) // x - mu
		VMULPS(Z2, Z9, Z9) // t = (x - mu)*k
		VSUBPS(Z4, Z8, Z8) // d - gm
		VSUBPS(Z9, Z8, Z8) // - t
		VMULPS(Z5, Z8, Z8) // * is
		VMULPS(Z6, Z8, Z8) // * w
		avoutil.Store16(Z8, tail, at(out))
	}, nil)
}
