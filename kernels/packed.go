package kernels

import "sync"

// PackedA is op(A) (M×K) copied once into the strip layout of one
// micro-kernel architecture, so that operands used many times (a
// convolution's weights) are packed once, not per call. For each block of
// D = arch.depth(K) columns starting at pc, and each MR-tall strip s, it
// holds
//
//	data[pc*mpad + s*kc*MR + p*MR + r] = op(A)[s*MR+r, pc+p]   (0 past M)
//
// with kc = min(D, K-pc) and mpad = M rounded up to MR.
type PackedA struct {
	M, K int
	kc   int // block depth, arch.depth(K)
	arch *microArch
	data []float32
}

// PackA packs op(A) (A stored M×K with row stride lda, or K×M when trans)
// for the architecture of the active Sgemm implementation.
func PackA(a []float32, lda int, trans bool, m, k int) *PackedA {
	return packAFor(activeArch(), a, lda, trans, m, k)
}

func packAFor(arch *microArch, a []float32, lda int, trans bool, m, k int) *PackedA {
	mr := arch.mr
	mpad := (m + mr - 1) / mr * mr
	p := &PackedA{M: m, K: k, kc: arch.depth(k), arch: arch, data: make([]float32, mpad*k)}
	for pc := 0; pc < k; pc += p.kc {
		kc := min(p.kc, k-pc)
		for s := 0; s*mr < m; s++ {
			dst := p.data[pc*mpad+s*kc*mr : pc*mpad+(s+1)*kc*mr]
			for r := 0; r < mr && s*mr+r < m; r++ {
				i := s*mr + r
				if trans {
					for q := 0; q < kc; q++ {
						dst[q*mr+r] = a[(pc+q)*lda+i]
					}
					continue
				}
				for q, v := range a[i*lda+pc : i*lda+pc+kc] {
					dst[q*mr+r] = v
				}
			}
		}
	}
	return p
}

// strip returns the packed strip s of the block starting at column pc.
func (p *PackedA) strip(pc, kc, s int) []float32 {
	mr := p.arch.mr
	mpad := (p.M + mr - 1) / mr * mr
	off := pc*mpad + s*kc*mr
	return p.data[off : off+kc*mr]
}

// bPacker fills a panel: dst[p*ld + j] = op(B)[pc+p, jc+j] for p < kc,
// j < nc, and 0 for j in [nc, ld) — ld is panelLD(arch, nc).
type bPacker func(dst []float32, ld, pc, kc, jc, nc int)

// panelLD is the row stride of a packed B panel of nc columns: whole NR
// strips plus 16 floats, so that the rows of a strip do not all fall in
// the same L1 sets.
func panelLD(arch *microArch, nc int) int { return (nc+arch.nr-1)/arch.nr*arch.nr + 16 }

// matrixPacker packs op(B) of g.
func matrixPacker(g *Gemm) bPacker {
	return func(dst []float32, ld, pc, kc, jc, nc int) {
		for p := 0; p < kc; p++ {
			d := dst[p*ld : (p+1)*ld]
			if g.TransB {
				for j := range nc {
					d[j] = g.B[(jc+j)*g.LDB+pc+p]
				}
			} else {
				copy(d, g.B[(pc+p)*g.LDB+jc:(pc+p)*g.LDB+jc+nc])
			}
			clear(d[nc:])
		}
	}
}

// gemmJob is one product for the packed driver: C (M×N, leading dimension
// ldc) = A × B + biases, where A is packed and B is packed on the fly.
type gemmJob struct {
	arch       *microArch
	a          *PackedA
	packB      bPacker
	n          int
	c          []float32
	ldc        int
	rowBias    []float32 // nil or M values
	colBias    []float32 // nil or N values
	accumulate bool      // start from C (biases must then be nil)
	relu       bool
}

// gemmBuffers are one goroutine's scratch space for the packed driver.
type gemmBuffers struct {
	b      []float32 // packed B panel, KC×NC
	rb, cb []float32 // zero-padded biases
}

var gemmBufPool sync.Pool

func getGemmBuffers(arch *microArch) *gemmBuffers {
	size := arch.kc * panelLD(arch, arch.nc)
	if b, ok := gemmBufPool.Get().(*gemmBuffers); ok && len(b.b) >= size {
		return b
	}
	return &gemmBuffers{b: make([]float32, size)}
}

// padded returns s copied into buf, grown to n values with zeros after
// len(s) (all zeros when s is nil).
func padded(buf *[]float32, s []float32, n int) []float32 {
	if cap(*buf) < n {
		*buf = make([]float32, n)
	}
	b := (*buf)[:n]
	copy(b, s)
	clear(b[len(s):])
	return b
}

// run computes columns [j0, j1) of C.
func (job *gemmJob) run(j0, j1 int, buf *gemmBuffers) {
	arch, a := job.arch, job.a
	m, k := a.M, a.K
	mr, nr := arch.mr, arch.nr
	rb := padded(&buf.rb, job.rowBias, (m+mr-1)/mr*mr)
	cb := padded(&buf.cb, job.colBias, (job.n+nr-1)/nr*nr+nr)
	if k == 0 {
		for i := 0; i < m; i++ {
			row := job.c[i*job.ldc+j0 : i*job.ldc+j1]
			for j := range row {
				v := row[j]
				if !job.accumulate {
					v = rb[i] + cb[j0+j]
				}
				if job.relu && v < 0 {
					v = 0
				}
				row[j] = v
			}
		}
		return
	}
	for jc := j0; jc < j1; jc += arch.nc {
		nc := min(arch.nc, j1-jc)
		for pc := 0; pc < k; pc += a.kc {
			kc := min(a.kc, k-pc)
			ld := panelLD(arch, nc)
			job.packB(buf.b, ld, pc, kc, jc, nc)
			flags := 0
			if pc > 0 || job.accumulate {
				flags |= gemmAccum
			}
			if job.relu && pc+kc == k {
				flags |= gemmReLU
			}
			// Blocks of mc rows of A (about 512 KB packed) stay in L2 while
			// the panel's strips pass over them.
			mc := max(1, (512<<10)/(4*kc*mr)) * mr
			for ic := 0; ic < m; ic += mc {
				for js := 0; js < nc; js += nr {
					n := min(nr, nc-js)
					bs := buf.b[js : (kc-1)*ld+js+nr]
					cbs := cb[jc+js : jc+js+nr]
					for is := ic; is < min(ic+mc, m); is += mr {
						rows := min(mr, m-is)
						c := job.c[is*job.ldc+jc+js : (is+rows-1)*job.ldc+jc+js+n]
						arch.gemm(rows, n, kc, a.strip(pc, kc, is/mr), bs, ld, c, job.ldc, rb[is:], cbs, flags)
					}
				}
			}
		}
	}
}

// parallel runs job over columns [0, N) split into up to threads ranges
// of whole NR strips, one goroutine each.
func (job *gemmJob) parallel(threads int) {
	nr := job.arch.nr
	strips := (job.n + nr - 1) / nr
	// Below ~1M multiply-adds per goroutine, splitting costs more than it saves.
	work := job.a.M * job.n * max(job.a.K, 1)
	threads = max(1, min(threads, strips, work/(1<<20)))
	parallel(job.n, nr, threads, func(j0, j1 int) {
		buf := getGemmBuffers(job.arch)
		job.run(j0, j1, buf)
		gemmBufPool.Put(buf)
	})
}

// sgemmPacked computes g with arch: the dot path for B transposed (the
// fully connected layers), the packed driver otherwise.
func sgemmPacked(arch *microArch, g *Gemm) {
	if g.M == 0 || g.N == 0 {
		return
	}
	if g.TransB && !g.TransA {
		switch {
		case arch.gemmRaw != nil && g.M >= rawMinM && g.M <= rawMaxM:
			sgemmTN(arch, g)
			return
		case arch.dot != nil:
			sgemmDot(arch, g)
			return
		}
	}
	job := &gemmJob{arch: arch, a: packAFor(arch, g.A, g.LDA, g.TransA, g.M, g.K),
		packB: matrixPacker(g), n: g.N, c: g.C, ldc: g.LDC,
		rowBias: g.RowBias, colBias: g.ColBias, accumulate: g.Accumulate, relu: g.ReLU}
	if g.Accumulate && (g.RowBias != nil || g.ColBias != nil) {
		initC(g, 0, g.M, 0, g.N) // C += biases, then accumulate the product
		job.rowBias, job.colBias = nil, nil
	}
	job.parallel(max(g.Threads, 1))
}
