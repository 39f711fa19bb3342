package qmodel

import (
	"fmt"
	"sync"

	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/quant"
)

// gemm holds the packed int8 weights of one layer and how its int32 sums
// map to its output; x·Wᵀ has one column per output channel.
type gemm struct {
	in      quant.Params
	w       *kernels.PackedI8
	rq      kernels.Requant
	out     dest
	threads int
	scratch scratchPool
}

// dest is where an int8 layer writes its output: uint8 quantized with
// p, the input quantizer of the int8 layer that reads it, with a border
// of pad pixels (see qtensor), when q; float32 otherwise.
type dest struct {
	q   bool
	p   quant.Params
	pad int
}

// newGemm packs w, (outC, k) row-major with row stride ldw (k ≤ ldw, the
// columns past k zero), for x·Wᵀ with K = ldw.
func newGemm(l *quant.Layer, w []int8, ldw, threads int, relu bool) (*gemm, error) {
	outC := l.Shape[0]
	if len(l.WeightScale) != outC || (l.Bias != nil && len(l.Bias) != outC) {
		return nil, &UnsupportedError{l.Name, fmt.Sprintf("weight %v does not fit the layer", l.Shape)}
	}
	if err := l.Input.Validate(); err != nil {
		return nil, fmt.Errorf("qmodel: %s input: %w", l.Name, err)
	}
	g := &gemm{in: l.Input, w: kernels.PackI8(w, ldw, true, ldw, outC), threads: threads}
	scale := make([]float32, outC)
	for j, s := range l.WeightScale {
		scale[j] = l.Input.Scale * s
	}
	g.rq = kernels.Requant{ZeroA: l.Input.ZeroPoint, ColSum: g.w.ColSum, Scale: scale, Bias: l.Bias, ReLU: relu}
	g.setTarget(dest{})
	return g, nil
}

// setTarget makes the layer write its output as t says.
func (g *gemm) setTarget(t dest) {
	g.out = t
	g.rq.OutScale, g.rq.ZeroOut, g.rq.OutMax = 1, 0, 0
	if t.q {
		g.rq.OutScale, g.rq.ZeroOut, g.rq.OutMax = t.p.Scale, t.p.ZeroPoint, t.p.QMax
	}
	g.rq.Prepare()
}

// share returns a gemm with g's weights and requantization, read only,
// and buffers of its own.
func (g *gemm) share() *gemm {
	return &gemm{in: g.in, w: g.w, rq: g.rq, out: g.out, threads: g.threads}
}

// multiply computes s.c (m×N) = a (m×K, row-major) times the weights on
// one goroutine.
func (g *gemm) multiply(s *scratch, a []uint8, m int) error {
	n, k := g.w.N, g.w.K
	s.c = grow(s.c, m*n)
	return kernels.I8Gemm(&kernels.GemmI8{M: m, N: n, K: k, A: a[:m*k], LDA: k, B: g.w, C: s.c, LDC: n, Threads: 1})
}

// scratch is one goroutine's buffers for a layer: the im2col'ed input, the
// int32 sums and the float32 outputs.
type scratch struct {
	a []uint8
	c []int32
	f []float32
}

// scratchPool keeps the scratch buffers of a layer's goroutines for the
// next call.
type scratchPool struct {
	mu   sync.Mutex
	free []*scratch
}

func (p *scratchPool) get() *scratch {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 {
		s := p.free[n-1]
		p.free = p.free[:n-1]
		return s
	}
	return &scratch{}
}

func (p *scratchPool) put(s *scratch) {
	p.mu.Lock()
	p.free = append(p.free, s)
	p.mu.Unlock()
}

// errOnce keeps the first error set by any of several goroutines.
type errOnce struct {
	mu  sync.Mutex
	err error
}

func (e *errOnce) set(err error) {
	if err == nil {
		return
	}
	e.mu.Lock()
	if e.err == nil {
		e.err = err
	}
	e.mu.Unlock()
}
