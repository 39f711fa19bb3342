package kernels

import "github.com/alexnet-go/alexnet/internal/cpuvariant"

// Winograd weight gradients. The forward transform
//
//	Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A
//
// is bilinear in the kernel g (r×r) and the input window d (α×α), so its
// transpose in g carries a 2×2 tile of ∂L/∂Y back to the kernel:
//
//	⟨dY, Y⟩ = ⟨A dY Aᵀ, (G g Gᵀ) ⊙ V⟩ = ⟨Gᵀ [ (A dY Aᵀ) ⊙ V ] G, g⟩
//
// Summed over the tiles t of every image, for output channel o and input
// channel c of a group,
//
//	dw[o, c] = Gᵀ [ Σ_t (A dY_t[o] Aᵀ) ⊙ (Bᵀ d_t[c] B) ] G
//
// and the sum over tiles is α² GEMMs, P_ξ (C × m) = V_ξ (C × tiles) ·
// W_ξᵀ (tiles × m) with W = A dY Aᵀ: α² multiply-adds per tile and
// channel pair instead of 4r² (the im2col GEMM's), the same saving as
// forward. V is the forward input transform; W is computed here.

// winoFilterTiles is about how many tiles one step of a Winograd weight
// gradient transforms; a step is whole images, at least one.
const winoFilterTiles = 128

// winoFilterWorker is one goroutine's scratch and partial sums.
type winoFilterWorker struct {
	acc   *[]float32 // P_ξᵀ summed over this worker's images: groups × α² × C×m
	panel []float32  // W_ξ of one step: α² × tiles rows of panelLD(m) floats
	dyT   []float32  // one image's ∂L/∂Y transposed, OH·OW rows of m floats
	sc    *winoScratch
	buf   *gemmBuffers
	zeros []float32
}

// convBackwardFilterWinograd adds ConvBackward's dw for a geometry
// WinogradConv accepts. The images are split into up to threads contiguous
// ranges, one goroutine each, which sums its P_ξ over steps of whole
// images; the goroutines' sums are added in a fixed order and transformed
// (Gᵀ P G, in float64) at the end, so the result depends on nb and threads
// but not on scheduling.
func convBackwardFilterWinograd(g ConvGeom, groups, outC int, x, dy, dw []float32, nb, threads int) {
	arch := activeArch()
	spec := winoSpecFor(g)
	nx := spec.alpha * spec.alpha
	m, c := outC/groups, g.C
	oh, ow := g.OH(), g.OW()
	im := winoImages{spec: spec, g: g, tw: (ow + 1) / 2, th: (oh + 1) / 2,
		inStride: groups * c * g.H * g.W, outStrid: groups * m * oh * ow}
	per := im.tw * im.th
	perStep := max(1, winoFilterTiles/per) // images
	workers := make([]*winoFilterWorker, max(1, min(threads, nb)))
	for i := range workers {
		wk := &winoFilterWorker{acc: getFloats(groups * nx * c * m), sc: getWinoScratch(),
			buf: getGemmBuffers(arch), zeros: make([]float32, max(c, m)+arch.mr+arch.nr)}
		clear(*wk.acc)
		workers[i] = wk
	}
	for grp := 0; grp < groups; grp++ {
		gi := im
		gi.x = x[grp*c*g.H*g.W:]
		gi.y = dy[grp*m*oh*ow:] // the forward output's gradient: W's input
		runTeam(len(workers), func(t int) {
			wk := workers[t]
			wk.sc.forget() // the slots hold the previous group's planes
			acc := (*wk.acc)[grp*nx*c*m:][:nx*c*m]
			end := (t + 1) * nb / len(workers)
			for b := t * nb / len(workers); b < end; b += perStep {
				wk.step(arch, &gi, acc, m, b*per, min(perStep, end-b)*per)
			}
		})
	}
	winoFilterReduce(spec, workers, groups, m, c, dw, threads)
	for _, wk := range workers {
		floatPool.Put(wk.acc)
		winoScratchPool.Put(wk.sc)
		gemmBufPool.Put(wk.buf)
	}
}

// step adds tiles [t0, t0+nt) of one group into acc (α² × C×m, P_ξᵀ).
func (wk *winoFilterWorker) step(arch *microArch, im *winoImages, acc []float32, m, t0, nt int) {
	c := im.g.C
	nx := im.spec.alpha * im.spec.alpha
	ld := panelLD(arch, nt)
	wk.sc.v = grow(wk.sc.v, nx*c*ld)
	winoInputStep(arch, im, wk.sc.v, ld, c, t0, nt, 1, wk.sc)
	ldp := panelLD(arch, m)
	if n := nx * nt * ldp; cap(wk.panel) < n {
		wk.panel = make([]float32, n) // columns past m stay zero
	}
	panel := wk.panel[:nx*nt*ldp]
	wk.dyInput(im, panel, ldp, m, t0, nt)
	for xi := 0; xi < nx; xi++ {
		v, w, p := wk.sc.v[xi*c*ld:(xi+1)*c*ld], panel[xi*nt*ldp:(xi+1)*nt*ldp], acc[xi*c*m:(xi+1)*c*m]
		if arch.gemmRaw != nil {
			addRawPanel(arch, v, ld, c, nt, w, ldp, p, m, wk.zeros)
			continue
		}
		job := gemmJob{arch: arch, a: packAFor(arch, v, ld, false, c, nt),
			packB: matrixPacker(&Gemm{B: w, LDB: ldp}), n: m, c: p, ldc: m, accumulate: true}
		job.run(0, m, wk.buf)
	}
}

// winoDyFunc writes W = A Y Aᵀ for the 2×2 tile Y = [y0 y1; y2 y3][i] of
// n channels i: W[ξ] to w[ξ*xiStride+i] (see avx512WinoDy4).
type winoDyFunc func(w []float32, xiStride int, y0, y1, y2, y3 []float32, n int)

// winoDyKernels is the family of the vector winoDyFuncs by α, nil where
// there is none (the portable variant has none).
var winoDyKernels = cpuvariant.NewFamily("winoDy", &[7]winoDyFunc{})

// dyInput writes W_ξ[j][o] = (A dY Aᵀ)[ξ] into panel[(ξ*nt+j)*ldp+o]
// for tiles j < nt (t0+j overall, whole images) of im.y, ∂L/∂Y, and its m
// channels; the 2×2 tile dY is zero past OH, OW. Each image's dY is first
// transposed into wk.dyT, a row of channels per position, so that a tile's
// four positions are four rows.
func (wk *winoFilterWorker) dyInput(im *winoImages, panel []float32, ldp, m, t0, nt int) {
	sp := im.spec
	oh, ow := im.g.OH(), im.g.OW()
	p, per := oh*ow, im.tw*im.th
	ldT := (m + 15) &^ 15
	wk.dyT = grow(wk.dyT, p*ldT)
	kernel := winoDyKernels.Get()[sp.alpha]
	if kernel == nil {
		kernel = func(w []float32, xiStride int, y0, y1, y2, y3 []float32, n int) {
			winoDyGo(sp, w, xiStride, y0, y1, y2, y3, n)
		}
	}
	row := func(y, x int) []float32 {
		if y >= oh || x >= ow {
			return wk.zeros[:m]
		}
		return wk.dyT[(y*ow+x)*ldT:][:m]
	}
	for b := t0 / per; b < (t0+nt)/per; b++ {
		transposeInto(wk.dyT, ldT, im.y[b*im.outStrid:][:m*p], m, p)
		for tt := 0; tt < per; tt++ {
			oy, ox := 2*(tt/im.tw), 2*(tt%im.tw)
			j := b*per + tt - t0
			kernel(panel[j*ldp:], nt*ldp, row(oy, ox), row(oy, ox+1), row(oy+1, ox), row(oy+1, ox+1), m)
		}
	}
}

// winoPair returns c0·u + c1·v, a term with a zero coefficient left out.
// With the coefficients of Aᵀ (0, ±1, ±2) every product is exact.
func winoPair(c0, c1, u, v float32) float32 {
	switch {
	case c0 == 0:
		return c1 * v
	case c1 == 0:
		return c0 * u
	}
	return c0*u + c1*v
}

// winoDyGo is the portable winoDyFunc for sp: for i < n, e = Y·Aᵀ (2×α),
// then W = A·e, each entry one winoPair.
func winoDyGo(sp *winoSpec, w []float32, xiStride int, y0, y1, y2, y3 []float32, n int) {
	a, at := sp.alpha, sp.at
	var e [2][6]float32
	for i := 0; i < n; i++ {
		y := [4]float32{y0[i], y1[i], y2[i], y3[i]}
		for r := 0; r < 2; r++ {
			for q := 0; q < a; q++ {
				e[r][q] = winoPair(at[0][q], at[1][q], y[2*r], y[2*r+1])
			}
		}
		for r := 0; r < a; r++ {
			for q := 0; q < a; q++ {
				w[(r*a+q)*xiStride+i] = winoPair(at[0][r], at[1][r], e[0][q], e[1][q])
			}
		}
	}
}

// winoFilterReduce adds the workers' P_ξ (in worker order, float32) and
// then Gᵀ P G (float64) into dw, (groups*m, C, r, r). The goroutines take
// input channels, reading the sums along the output channels.
func winoFilterReduce(spec *winoSpec, workers []*winoFilterWorker, groups, m, c int, dw []float32, threads int) {
	a, r := spec.alpha, spec.r
	nx := a * a
	var g [6 * 5]float64 // spec.g, α×r
	for i := 0; i < a; i++ {
		copy(g[i*r:(i+1)*r], spec.g[i])
	}
	parFor(groups*c, threads, func(c0, c1 int) {
		p := make([]float32, nx*m) // P_ξ[o] of one input channel
		var pg [6 * 5]float64      // P·G, α×r
		for gc := c0; gc < c1; gc++ {
			grp, ci := gc/c, gc%c
			for xi := 0; xi < nx; xi++ {
				dst := p[xi*m : (xi+1)*m]
				copy(dst, (*workers[0].acc)[((grp*nx+xi)*c+ci)*m:][:m])
				for _, wk := range workers[1:] {
					for o, v := range (*wk.acc)[((grp*nx+xi)*c+ci)*m:][:m] {
						dst[o] += v
					}
				}
			}
			for o := 0; o < m; o++ {
				for i := 0; i < a; i++ {
					for j := 0; j < r; j++ {
						var s float64
						for q := 0; q < a; q++ {
							s += float64(p[(i*a+q)*m+o]) * g[q*r+j]
						}
						pg[i*r+j] = s
					}
				}
				out := dw[((grp*m+o)*c+ci)*r*r:][:r*r]
				for i := 0; i < r; i++ {
					for j := 0; j < r; j++ {
						var s float64
						for q := 0; q < a; q++ {
							s += g[q*r+i] * pg[q*r+j]
						}
						out[i*r+j] += float32(s)
					}
				}
			}
		}
	})
}
