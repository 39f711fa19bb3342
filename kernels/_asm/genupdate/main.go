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
	"github.com/alexnet-go/alexnet/kernels/_asm/internal/avoutil"
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

func main() {
	avoutil.Run(sgdMomentum)
}

// sgdMomentum: for i < n,
//
//	d      = grad[i] + wd·w[i]
//	buf[i] = buf[i]·mom + damp·d
//	w[i]   = w[i] - lr·buf[i]
func sgdMomentum() {
	avoutil.Func("avx512SGDMomentum", "func(w, grad, buf *float32, n int, lr, mom, damp, wd float32)",
		"avx512SGDMomentum sets, for i < n, d = grad[i] + wd·w[i], buf[i] = buf[i]·mom + damp·d, w[i] -= lr·buf[i], each operation rounded to float32 (see sgdMomentumGo in kernels/sgd.go).")
	w, g, buf, n := RDI, RSI, R9, R8
	avoutil.Params("w grad buf n", w, g, buf, n)
	for i, p := range []string{"lr", "mom", "damp", "wd"} {
		avoutil.Broadcast(p, []VecPhysical{Z1, Z2, Z3, Z4}[i])
	}
	avoutil.Loop16("sgd", n, func(off GPPhysical, k Op) {
		at := func(b GPPhysical) Mem { return Mem{Base: b, Index: off, Scale: 1} }
		avoutil.Load16(at(w), k, Z5)
		avoutil.Load16(at(g), k, Z6)
		avoutil.Load16(at(buf), k, Z7)
		VMULPS(Z5, Z4, Z8) // wd·w
		VADDPS(Z8, Z6, Z6) // d = g + wd·w
		VMULPS(Z2, Z7, Z7) // buf·mom
		VMULPS(Z3, Z6, Z6) // damp·d
		VADDPS(Z6, Z7, Z7) // buf
		VMULPS(Z7, Z1, Z8) // lr·buf
		VSUBPS(Z8, Z5, Z5) // w - lr·buf
		avoutil.Store16(Z7, k, at(buf))
		avoutil.Store16(Z5, k, at(w))
	}, nil)
}
