package kernels

// ConvBackward computes the gradients of the grouped convolution of Conv
// (and Conv2dNaive) over nb images. g is the geometry of one group (g.C
// input planes), groups the group count and outC the output channels; x
// is (nb, groups*g.C, H, W), w is (outC, g.C*KH*KW) and dy = ∂L/∂y is
// (nb, outC, OH, OW). With grp(o) = o / (outC/groups) it adds
//
//	dw[o, c, i, j] += Σ_{b, oy, ox} dy[b, o, oy, ox] · x[b, grp(o)*g.C+c, oy*SH-PH+i, ox*SW-PW+j]
//	db[o]          += Σ_{b, oy, ox} dy[b, o, oy, ox]
//
// (x taken as 0 in the padding) and overwrites dx, (nb, groups*g.C, H, W),
// with
//
//	dx[b, grp*g.C+c, iy, ix] = Σ over o in group grp, i, j, oy, ox with
//	    oy*SH-PH+i = iy and ox*SW-PW+j = ix of w[o, c, i, j] · dy[b, o, oy, ox]
//
// Each of dw, db and dx may be nil to skip it. Where alg.Winograd(g), dx is
// computed as a Winograd convolution of dy (see convBackwardDataWinograd)
// and dw as Winograd sums over tiles (see convBackwardFilterWinograd).
//
// The images are split into up to threads contiguous ranges, one goroutine
// each. Per image and group, with k = g.C*KH*KW, m = outC/groups and
// p = OH*OW, a goroutine adds im2col(x_g) (k×p) × dy_gᵀ (p×m) into its
// own dw_gᵀ (k×m), and computes dx_g = Col2im(w_gᵀ × dy_g) with w_gᵀ
// packed once for all images. The goroutines' dwᵀ are summed in a fixed
// order at the end, db in float64, so the result depends on nb and
// threads but not on scheduling.
func ConvBackward(g ConvGeom, alg ConvAlgorithm, groups, outC int, x, w, dy, dw, db, dx []float32, nb, threads int) {
	if nb == 0 || (dw == nil && db == nil && dx == nil) {
		return
	}
	wino := alg.Winograd(g)
	if dx != nil && wino {
		convBackwardDataWinograd(g, groups, outC, w, dy, dx, nb, threads)
		dx = nil
	}
	if dw != nil && wino {
		convBackwardFilterWinograd(g, groups, outC, x, dy, dw, nb, threads)
		dw = nil
	}
	if dw == nil && db == nil && dx == nil {
		return
	}
	cb := newConvBack(activeArch(), g, groups, outC, w, dw != nil, dx != nil)
	workers := make([]*convBackWorker, max(1, min(threads, nb)))
	for i := range workers {
		workers[i] = cb.newWorker(dw != nil, db != nil)
	}
	runTeam(len(workers), func(t int) {
		for b := t * nb / len(workers); b < (t+1)*nb/len(workers); b++ {
			cb.image(workers[t], x, dy, dx, b)
		}
	})
	cb.reduce(workers, dw, db, threads)
	for _, wk := range workers {
		wk.release()
	}
}

// convBackwardDataWinograd computes ConvBackward's dx for a geometry
// WinogradConv accepts: at stride 1, dx is the convolution of dy, padded by
// KH-1-PH and KW-1-PW, with the weights flipped and the channel roles
// swapped,
//
//	w'[grp*g.C+c, o, i, j] = w[grp*m+o, c, KH-1-i, KW-1-j]   (m = outC/groups)
//
// which ConvWinograd runs on the whole batch.
func convBackwardDataWinograd(g ConvGeom, groups, outC int, w, dy, dx []float32, nb, threads int) {
	m, kh, kw := outC/groups, g.KH, g.KW
	flipped := make([]float32, len(w[:outC*g.C*kh*kw]))
	for grp := 0; grp < groups; grp++ {
		for o := 0; o < m; o++ {
			for c := 0; c < g.C; c++ {
				src := w[((grp*m+o)*g.C+c)*kh*kw:][:kh*kw]
				dst := flipped[((grp*g.C+c)*m+o)*kh*kw:][:kh*kw]
				for i := range src {
					dst[len(src)-1-i] = src[i]
				}
			}
		}
	}
	ww := PackWinogradWeights(flipped, groups*g.C, m, kh, groups)
	dg := ConvGeom{C: m, H: g.OH(), W: g.OW(), KH: kh, KW: kw, SH: 1, SW: 1, PH: kh - 1 - g.PH, PW: kw - 1 - g.PW}
	ConvWinograd(dg, ww, make([]float32, groups*g.C), dy, dx, nb, false, threads)
}

// convBack is one ConvBackward call's shared, read-only state.
type convBack struct {
	arch         *microArch
	g            ConvGeom
	groups, outC int
	m, k, p, in  int
	wt           []*PackedA // w_gᵀ (k×m) per group, when dx is wanted
	zeros        []float32  // bias operands of the accumulating kernels
}

func newConvBack(arch *microArch, g ConvGeom, groups, outC int, w []float32, wantDw, wantDx bool) *convBack {
	cb := &convBack{arch: arch, g: g, groups: groups, outC: outC,
		m: outC / groups, k: g.C * g.KH * g.KW, p: g.OH() * g.OW(), in: g.C * g.H * g.W}
	cb.zeros = make([]float32, max(cb.m, cb.k)+arch.mr+arch.nr)
	if wantDx {
		cb.wt = make([]*PackedA, groups)
		for grp := range cb.wt {
			cb.wt[grp] = packAFor(arch, w[grp*cb.m*cb.k:], cb.k, true, cb.k, cb.m)
		}
	}
	return cb
}

// convBackWorker is one goroutine's scratch and partial sums.
type convBackWorker struct {
	col   *[]float32 // im2col(x_g), or w_gᵀ × dy_g, k×p
	panel *[]float32 // dy_gᵀ, p rows of panelLD(m) floats
	dwT   *[]float32 // Σ dw_gᵀ over this worker's images, groups × k×m
	db    []float64  // Σ of the rows of dy over this worker's images
	buf   *gemmBuffers
}

func (cb *convBack) newWorker(wantDw, wantDb bool) *convBackWorker {
	wk := &convBackWorker{col: getFloats(cb.k * cb.p), buf: getGemmBuffers(cb.arch)}
	if wantDw {
		wk.panel = getFloats(cb.p * panelLD(cb.arch, cb.m))
		clear(*wk.panel)
		wk.dwT = getFloats(cb.groups * cb.k * cb.m)
		clear(*wk.dwT)
	}
	if wantDb {
		wk.db = make([]float64, cb.outC)
	}
	return wk
}

func (wk *convBackWorker) release() {
	for _, p := range []*[]float32{wk.col, wk.panel, wk.dwT} {
		if p != nil {
			floatPool.Put(p)
		}
	}
	gemmBufPool.Put(wk.buf)
}

// image adds image b's contributions to wk's sums and writes its dx.
func (cb *convBack) image(wk *convBackWorker, x, dy, dx []float32, b int) {
	m, k, p := cb.m, cb.k, cb.p
	col := *wk.col
	for grp := 0; grp < cb.groups; grp++ {
		dyg := dy[(b*cb.outC+grp*m)*p:][:m*p]
		if wk.db != nil {
			for o := 0; o < m; o++ {
				var s float64
				for _, v := range dyg[o*p : (o+1)*p] {
					s += float64(v)
				}
				wk.db[grp*m+o] += s
			}
		}
		if wk.dwT != nil {
			Im2col(cb.g, x[(b*cb.groups+grp)*cb.in:][:cb.in], col)
			cb.addColDyT(wk, col, dyg, (*wk.dwT)[grp*k*m:][:k*m])
		}
		if dx != nil {
			job := gemmJob{arch: cb.arch, a: cb.wt[grp], packB: matrixPacker(&Gemm{B: dyg, LDB: p}),
				n: p, c: col, ldc: p}
			job.run(0, p, wk.buf)
			Col2im(cb.g, col, dx[(b*cb.groups+grp)*cb.in:][:cb.in])
		}
	}
}

// addColDyT adds col (k×p) × dygᵀ (dyg is m×p) into ct (k×m):
//
//	ct[i*m+o] += Σ_{s < p} col[i*p+s] · dyg[o*p+s]
//
// With a raw-A kernel the rows of col are read in place against dygᵀ
// copied into wk.panel; otherwise col is packed for the packed driver.
func (cb *convBack) addColDyT(wk *convBackWorker, col, dyg, ct []float32) {
	arch, m, k, p := cb.arch, cb.m, cb.k, cb.p
	if arch.gemmRaw == nil {
		job := gemmJob{arch: arch, a: packAFor(arch, col, p, false, k, p),
			packB: matrixPacker(&Gemm{B: dyg, LDB: p, TransB: true}), n: m, c: ct, ldc: m, accumulate: true}
		job.run(0, m, wk.buf)
		return
	}
	ld := panelLD(arch, m)
	panel := *wk.panel
	transposeInto(panel, ld, dyg, m, p)
	addRawPanel(arch, col, p, k, p, panel, ld, ct, m, cb.zeros)
}

// addRawPanel adds a (k rows of depth p, row stride lda, read in place)
// times panel (p rows of m floats, row stride ld) into ct (k×m) with
// arch.gemmRaw:
//
//	ct[i*m+o] += Σ_{s < p} a[i*lda+s] · panel[s*ld+o]
//
// panel's rows must be readable up to a whole NR past column m - 1, and
// zeros hold at least max(k, m) + MR + NR zeros.
func addRawPanel(arch *microArch, a []float32, lda, k, p int, panel []float32, ld int, ct []float32, m int, zeros []float32) {
	mr, nr := arch.mr, arch.nr
	depth := p
	if n := (p + rawKC - 1) / rawKC; n > 1 {
		depth = (p + n - 1) / n
	}
	for pc := 0; pc < p; pc += depth {
		kc := min(depth, p-pc)
		for is := 0; is < k; is += mr {
			rows := min(mr, k-is)
			ar := a[is*lda+pc : (is+rows-1)*lda+pc+kc]
			for js := 0; js < m; js += nr {
				cols := min(nr, m-js)
				arch.gemmRaw(rows, cols, kc, ar, lda, panel[pc*ld+js:(pc+kc-1)*ld+js+nr], ld,
					ct[is*m+js:(is+rows-1)*m+js+cols], m, zeros, zeros, gemmAccum)
			}
		}
	}
}

// reduce adds the workers' partial sums into dw and db, the workers taken
// in order.
func (cb *convBack) reduce(workers []*convBackWorker, dw, db []float32, threads int) {
	m, k := cb.m, cb.k
	if dw != nil {
		parFor(cb.groups*k, threads, func(r0, r1 int) {
			for r := r0; r < r1; r++ { // r = grp*k + j: column j of group grp's dw
				grp, j := r/k, r%k
				for o := 0; o < m; o++ {
					var s float32
					for _, wk := range workers {
						s += (*wk.dwT)[r*m+o]
					}
					dw[(grp*m+o)*k+j] += s
				}
			}
		})
	}
	if db != nil {
		for o := range db[:cb.outC] {
			var s float64
			for _, wk := range workers {
				s += wk.db[o]
			}
			db[o] += float32(s)
		}
	}
}

// ConvBackwardNaive is the reference loop of ConvBackward, the sums taken
// directly in the order b, o, oy, ox, c, i, j.
func ConvBackwardNaive(g ConvGeom, groups, outC int, x, w, dy, dw, db, dx []float32, nb int) {
	oh, ow := g.OH(), g.OW()
	m, cin := outC/groups, g.C
	if dx != nil {
		clear(dx[:nb*groups*cin*g.H*g.W])
	}
	for b := 0; b < nb; b++ {
		xb := x[b*groups*cin*g.H*g.W:]
		for o := 0; o < outC; o++ {
			grp := o / m
			for oy := 0; oy < oh; oy++ {
				for ox := 0; ox < ow; ox++ {
					d := dy[((b*outC+o)*oh+oy)*ow+ox]
					if db != nil {
						db[o] += d
					}
					windowTaps(g, cin, o, grp, oy, ox, func(wi, xi int) {
						if dw != nil {
							dw[wi] += d * xb[xi]
						}
						if dx != nil {
							dx[b*groups*cin*g.H*g.W+xi] += w[wi] * d
						}
					})
				}
			}
		}
	}
}

// mustSgemm runs Sgemm on operands the calling kernel has sized; an error
// is a bug in that kernel.
func mustSgemm(g *Gemm) {
	if err := Sgemm(g); err != nil {
		panic(err)
	}
}
