package qmodel

import (
	"fmt"
	"sync"

	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/quant"
)

// gemm holds the packed int8 weights of one layer and how its sums map back
// to float32; x·Wᵀ has one column per output channel.
type gemm struct {
	in      quant.Params
	w       *kernels.PackedI8
	rq      kernels.Requant
	threads int
	a       []uint8 // the quantized (im2col'ed) input
	c       []int32 // the sums
	y       []float32
}

// newGemm packs l's weight, (outC, k) row-major, for x·Wᵀ.
func newGemm(l *quant.Layer, k, threads int, relu bool) (*gemm, error) {
	outC := l.Shape[0]
	if len(l.Weight) != outC*k || len(l.WeightScale) != outC || (l.Bias != nil && len(l.Bias) != outC) {
		return nil, &UnsupportedError{l.Name, fmt.Sprintf("weight %v does not fit the layer", l.Shape)}
	}
	if err := l.Input.Validate(); err != nil {
		return nil, fmt.Errorf("qmodel: %s input: %w", l.Name, err)
	}
	g := &gemm{in: l.Input, w: kernels.PackI8(l.Weight, k, true, k, outC), threads: threads}
	scale := make([]float32, outC)
	for j, s := range l.WeightScale {
		scale[j] = l.Input.Scale * s
	}
	g.rq = kernels.Requant{ZeroA: l.Input.ZeroPoint, ColSum: g.w.ColSum, Scale: scale, Bias: l.Bias, ReLU: relu}
	g.rq.Prepare() // DequantizeF32's per-column terms, once
	return g, nil
}

// run multiplies g.a (m×K) by the weights and dequantizes into g.y (m×outC).
func (g *gemm) run(m int) error {
	n, k := g.w.N, g.w.K
	g.c = grow(g.c, m*n)
	g.y = grow(g.y, m*n)
	err := kernels.I8Gemm(&kernels.GemmI8{M: m, N: n, K: k, A: g.a[:m*k], LDA: k, B: g.w, C: g.c, LDC: n, Threads: g.threads})
	if err != nil {
		return err
	}
	parallel(m, g.threads, func(lo, hi int) {
		kernels.DequantizeF32(g.y[lo*n:], n, g.c[lo*n:], n, hi-lo, n, &g.rq)
	})
	return nil
}

// parallel runs fn over [0, n) cut into at most threads contiguous ranges,
// each on a goroutine of its own, and waits for them.
func parallel(n, threads int, fn func(lo, hi int)) {
	t := min(max(threads, 1), n)
	if t <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for i := range t {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(i*n/t, (i+1)*n/t)
		}()
	}
	wg.Wait()
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
