package kernels

import "github.com/alexnet-go/alexnet/internal/cpuvariant"

// SGDMomentum is the SGD update with momentum and weight decay (PyTorch's
// torch.optim.SGD after its first step, dampening applied, no Nesterov):
// for i < len(w),
//
//	d      = g[i] + wd·w[i]
//	buf[i] = buf[i]·mom + damp·d
//	w[i]  -= lr·buf[i]
//
// each operation rounded to float32, with the same bits on every kernel
// variant. g and buf must hold len(w) values.
func SGDMomentum(w, g, buf []float32, lr, mom, damp, wd float32) {
	g, buf = g[:len(w)], buf[:len(w)]
	sgdMomentumImpl.Get()(w, g, buf, lr, mom, damp, wd)
}

// sgdMomentumImpl is the family of SGDMomentum's loop: the portable one
// and the assembly one where the CPU has it (sgd_amd64.go).
var sgdMomentumImpl = cpuvariant.NewFamily("sgd", sgdMomentumGo)

// sgdMomentumGo is the portable SGDMomentum.
func sgdMomentumGo(w, g, buf []float32, lr, mom, damp, wd float32) {
	g, buf = g[:len(w)], buf[:len(w)]
	for i, v := range w {
		d := g[i] + float32(wd*v)
		b := float32(buf[i]*mom) + float32(damp*d)
		buf[i] = b
		w[i] = v - float32(lr*b)
	}
}
