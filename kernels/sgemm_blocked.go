package kernels

import "sync"

// Blocking of SgemmBlocked (GotoBLAS loop order): a KC×NC panel of op(B)
// is packed into NR-wide strips (meant for L3/L2), an MC×KC block of op(A)
// into MR-tall strips (L2), and the MR×NR micro-kernel keeps its
// accumulators in registers while one B strip stays in L1.
//
// MR×NR is 3×4 rather than the 6×8 or 4×8 of SIMD BLAS kernels: plain Go
// compiles to scalar SSE with 15 usable float registers, and 12
// accumulators plus one A value and one product is the largest tile that
// does not spill (measured on amd64: 3×4 with K unrolled by two ≈ 6 GFLOP/s
// per core; 4×4 spills and drops to ≈ 4).
const (
	gemmMR = 3
	gemmNR = 4
	gemmKC = 256
	gemmMC = 48 * gemmMR  // 144
	gemmNC = 512 * gemmNR // 2048

	// dotMaxM is the largest M for which SgemmBlocked takes the unpacked
	// dot-product path when B is transposed (fully connected layers at
	// small batch), where packing op(B) would cost as much as the product.
	dotMaxM = 8
)

var (
	packAPool = sync.Pool{New: func() any { s := make([]float32, gemmMC*gemmKC); return &s }}
	packBPool = sync.Pool{New: func() any { s := make([]float32, gemmKC*gemmNC); return &s }}
)

// SgemmBlocked computes the loop documented at SgemmNaive with packed,
// cache-blocked panels and a register-blocked 3×4 micro-kernel, splitting
// C into up to g.Threads rectangles computed by separate goroutines. Sums
// over K are taken in a different order than SgemmNaive, so results agree
// up to float32 rounding. It assumes g is valid.
func SgemmBlocked(g *Gemm) {
	if g.M == 0 || g.N == 0 {
		return
	}
	threads := max(g.Threads, 1)
	// Splitting below ~64k multiply-adds per goroutine costs more than it saves.
	threads = min(threads, max(1, g.M*g.N*max(g.K, 1)/(1<<16)))
	dot := g.TransB && !g.TransA && g.M <= dotMaxM
	mTiles := (g.M + gemmMR - 1) / gemmMR
	nTiles := (g.N + gemmNR - 1) / gemmNR
	byRows := !dot && mTiles > nTiles
	tiles, tile, extent := nTiles, gemmNR, g.N
	if byRows {
		tiles, tile, extent = mTiles, gemmMR, g.M
	}
	threads = min(threads, tiles)
	run := func(t int) {
		lo := min(extent, t*tiles/threads*tile)
		hi := min(extent, (t+1)*tiles/threads*tile)
		i0, i1, j0, j1 := 0, g.M, lo, hi
		if byRows {
			i0, i1, j0, j1 = lo, hi, 0, g.N
		}
		if dot {
			gemmDot(g, j0, j1)
		} else {
			gemmRegion(g, i0, i1, j0, j1)
		}
	}
	if threads == 1 {
		run(0)
		return
	}
	runTeam(threads, run)
}

// initC sets C[i0:i1, j0:j1] to its starting value: its prior content or
// zero (Accumulate), plus the biases, with ReLU applied when K == 0.
func initC(g *Gemm, i0, i1, j0, j1 int) {
	for i := i0; i < i1; i++ {
		row := g.C[i*g.LDC+j0 : i*g.LDC+j1]
		var rb float32
		if g.RowBias != nil {
			rb = g.RowBias[i]
		}
		for j := range row {
			v := rb
			if g.Accumulate {
				v += row[j]
			}
			if g.ColBias != nil {
				v += g.ColBias[j0+j]
			}
			if g.K == 0 && g.ReLU && v < 0 {
				v = 0
			}
			row[j] = v
		}
	}
}

// gemmRegion computes C[i0:i1, j0:j1] with packed panels.
func gemmRegion(g *Gemm, i0, i1, j0, j1 int) {
	initC(g, i0, i1, j0, j1)
	if g.K == 0 || i0 >= i1 || j0 >= j1 {
		return
	}
	pa := packAPool.Get().(*[]float32)
	pb := packBPool.Get().(*[]float32)
	defer packAPool.Put(pa)
	defer packBPool.Put(pb)
	ap, bp := *pa, *pb
	var acc [gemmMR * gemmNR]float32
	for jc := j0; jc < j1; jc += gemmNC {
		nc := min(gemmNC, j1-jc)
		for pc := 0; pc < g.K; pc += gemmKC {
			kc := min(gemmKC, g.K-pc)
			relu := g.ReLU && pc+kc == g.K
			packB(g, bp, pc, kc, jc, nc)
			for ic := i0; ic < i1; ic += gemmMC {
				mc := min(gemmMC, i1-ic)
				packA(g, ap, ic, mc, pc, kc)
				for jr := 0; jr < nc; jr += gemmNR {
					bs := bp[jr*kc : (jr+gemmNR)*kc]
					cols := min(gemmNR, nc-jr)
					for ir := 0; ir < mc; ir += gemmMR {
						kernel3x4(kc, ap[ir*kc:(ir+gemmMR)*kc], bs, &acc)
						storeTile(g, &acc, ic+ir, jc+jr, min(gemmMR, mc-ir), cols, relu)
					}
				}
			}
		}
	}
}

// storeTile adds the rows×cols corner of acc to C at (i, j), then applies
// ReLU if relu.
func storeTile(g *Gemm, acc *[gemmMR * gemmNR]float32, i, j, rows, cols int, relu bool) {
	for r := 0; r < rows; r++ {
		c := g.C[(i+r)*g.LDC+j : (i+r)*g.LDC+j+cols]
		a := acc[r*gemmNR : r*gemmNR+cols]
		for q := range c {
			v := c[q] + a[q]
			if relu && v < 0 {
				v = 0
			}
			c[q] = v
		}
	}
}
