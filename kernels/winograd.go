package kernels

import "sync"

// Winograd F(2×2, 3×3) for the 3×3, stride-1 convolutions (AlexNet's
// conv3-5): each 2×2 block of outputs ("tile") comes from a 4×4 input
// window d as
//
//	Y = Aᵀ [ Σ_c (G g_c Gᵀ) ⊙ (Bᵀ d_c B) ] A
//
// with the transforms
//
//	Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
//	G  = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1]
//	Aᵀ = [1 1 1 0; 0 1 -1 -1]
//
// so the sum over input channels becomes 16 independent GEMMs, one per
// position ξ of the 4×4 transformed tile: M_ξ (OutC × tiles) = U_ξ (OutC
// × C) · V_ξ (C × tiles). That is 16 multiply-adds per tile and channel
// pair instead of 36, for two extra additions-heavy passes (the input and
// output transforms). The transforms only scale by ½ and add, so results
// match the direct convolution to float32 rounding.

// winoTiles is the number of tiles transformed and multiplied per step:
// two NR=32 strips, so V and M of one step stay near L2.
const winoTiles = 64

// WinogradWeights are a 3×3 convolution's weights transformed (U = G g Gᵀ)
// and packed: 16 PackedA of OutC/Groups × C per group.
type WinogradWeights struct {
	Groups int
	u      [][16]*PackedA
}

// UseWinograd reports whether Winograd F(2×2, 3×3) applies to g: a 3×3
// kernel at stride 1, padding at most 2.
func UseWinograd(g ConvGeom) bool {
	return g.KH == 3 && g.KW == 3 && g.SH == 1 && g.SW == 1 && g.PH <= 2 && g.PW <= 2
}

// PackWinogradWeights transforms and packs w, (OutC, C, 3, 3) with the
// rows of group g at [g*OutC/groups, (g+1)*OutC/groups), for the active
// implementation.
func PackWinogradWeights(w []float32, outC, c, groups int) *WinogradWeights {
	m := outC / groups
	ww := &WinogradWeights{Groups: groups, u: make([][16]*PackedA, groups)}
	mat := make([]float32, 16*m*c)
	for grp := 0; grp < groups; grp++ {
		for o := 0; o < m; o++ {
			for ci := 0; ci < c; ci++ {
				k := w[((grp*m+o)*c+ci)*9:][:9]
				var gg [4][3]float32 // G·g
				for j := 0; j < 3; j++ {
					g0, g1, g2 := k[j], k[3+j], k[6+j]
					gg[0][j] = g0
					gg[1][j] = 0.5 * (g0 + g1 + g2)
					gg[2][j] = 0.5 * (g0 - g1 + g2)
					gg[3][j] = g2
				}
				for i := 0; i < 4; i++ { // (G·g)·Gᵀ
					g0, g1, g2 := gg[i][0], gg[i][1], gg[i][2]
					u := [4]float32{g0, 0.5 * (g0 + g1 + g2), 0.5 * (g0 - g1 + g2), g2}
					for j := 0; j < 4; j++ {
						mat[((i*4+j)*m+o)*c+ci] = u[j]
					}
				}
			}
		}
		for xi := 0; xi < 16; xi++ {
			ww.u[grp][xi] = PackA(mat[xi*m*c:(xi+1)*m*c], c, false, m, c)
		}
	}
	return ww
}

// Current reports whether ww was packed for the active implementation.
func (ww *WinogradWeights) Current() bool { return ww.u[0][0].arch == activeArch() }

// winoScratch is one goroutine's memory for Winograd steps.
type winoScratch struct {
	v, m   []float32 // V_ξ and M_ξ of one step: 16 × rows × ld
	rb, cb []float32 // zero biases for the GEMMs
	// Images split into even and odd padded columns for the vector input
	// transform, with the index of the image each slot holds (-1: none),
	// at least as many slots as one step touches images.
	ins []convInput
	ids []int
	use []int // counter at last use, for eviction
	now int
}

// reserve makes room for n images per step.
func (sc *winoScratch) reserve(n int) {
	for len(sc.ins) < n {
		sc.ins = append(sc.ins, convInput{})
		sc.ids = append(sc.ids, -1)
		sc.use = append(sc.use, 0)
	}
}

// image returns the even/odd split of image b of im, preparing it into
// the least recently used slot unless a slot holds it.
func (sc *winoScratch) image(im *winoImages, b int) *convInput {
	sc.now++
	lru := 0
	for k := range sc.ids {
		if sc.ids[k] == b && sc.ins[k].data != nil {
			sc.use[k] = sc.now
			return &sc.ins[k]
		}
		if sc.use[k] < sc.use[lru] {
			lru = k
		}
	}
	g := im.g
	g.SW = 2
	sc.ins[lru].prepareRows(nil, g, im.x[b*im.inStride:], 2*im.th+2)
	sc.ids[lru], sc.use[lru] = b, sc.now
	return &sc.ins[lru]
}

var winoScratchPool sync.Pool

// winoImages describes the images of one Winograd call for one group.
type winoImages struct {
	g        ConvGeom // one group's geometry (g.C input planes)
	x, y     []float32
	inStride int // floats from one image's group input to the next
	outStrid int // floats from one image's group output to the next
	tw, th   int // tiles per row and column
}

// ConvWinograd is ConvBatch for a geometry UseWinograd accepts, with
// weights from PackWinogradWeights; it computes the same sum.
func ConvWinograd(g ConvGeom, ww *WinogradWeights, bias, x, y []float32, batch int, relu bool, threads int) {
	m := ww.u[0][0].M
	oh, ow := g.OH(), g.OW()
	imgs := winoImages{g: g, tw: (ow + 1) / 2, th: (oh + 1) / 2,
		inStride: ww.Groups * g.C * g.H * g.W, outStrid: ww.Groups * m * oh * ow}
	tiles := batch * imgs.tw * imgs.th
	steps := (tiles + winoTiles - 1) / winoTiles
	for grp := 0; grp < ww.Groups; grp++ {
		im := imgs
		im.x = x[grp*g.C*g.H*g.W:]
		im.y = y[grp*m*oh*ow:]
		b := bias[grp*m : (grp+1)*m]
		if threads <= 1 || steps < threads {
			sc := getWinoScratch()
			for s := 0; s < steps; s++ {
				t0 := s * winoTiles
				winoStep(&im, ww.u[grp], b, relu, t0, min(winoTiles, tiles-t0), threads, sc)
			}
			winoScratchPool.Put(sc)
			continue
		}
		var wg sync.WaitGroup
		for t := 0; t < threads; t++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sc := getWinoScratch()
				for s := t * steps / threads; s < (t+1)*steps/threads; s++ {
					t0 := s * winoTiles
					winoStep(&im, ww.u[grp], b, relu, t0, min(winoTiles, tiles-t0), 1, sc)
				}
				winoScratchPool.Put(sc)
			}()
		}
		wg.Wait()
	}
}

// getWinoScratch returns scratch with no image prepared: the slots' ids
// refer to the previous call's images.
func getWinoScratch() *winoScratch {
	sc, ok := winoScratchPool.Get().(*winoScratch)
	if !ok {
		sc = &winoScratch{}
	}
	for k := range sc.ids {
		sc.ids[k] = -1
	}
	return sc
}

// grow returns s with length n, reallocated if its capacity is short.
func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// parFor runs fn over [0, n) split into up to threads contiguous ranges.
func parFor(n, threads int, fn func(lo, hi int)) {
	threads = max(1, min(threads, n))
	if threads == 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for t := 0; t < threads; t++ {
		wg.Add(1)
		go func() { defer wg.Done(); fn(t*n/threads, (t+1)*n/threads) }()
	}
	wg.Wait()
}

// winoStep computes tiles [t0, t0+nt) (numbered across the images, row
// by row) of one group: input transform into V, 16 GEMMs into M, output
// transform into y.
func winoStep(im *winoImages, u [16]*PackedA, bias []float32, relu bool, t0, nt, threads int, sc *winoScratch) {
	arch := u[0].arch
	c, m := u[0].K, u[0].M
	ld := panelLD(arch, nt)
	sc.v = grow(sc.v, 16*c*ld)
	sc.m = grow(sc.m, 16*m*ld)
	sc.rb = grow(sc.rb, m+arch.mr)
	sc.cb = grow(sc.cb, ld+arch.nr)
	clear(sc.rb)
	clear(sc.cb)
	if arch.winoInput != nil {
		per := im.tw * im.th
		sc.reserve(nt/per + 2)
		var segs []winoSeg
		for t := t0; t < t0+nt; {
			b := t / per
			end := min(t0+nt, (b+1)*per)
			segs = append(segs, winoSeg{sc.image(im, b), b, t, end})
			t = end
		}
		parFor(c, threads, func(lo, hi int) { winoInputVec(arch, im, segs, sc.v, ld, lo, hi, t0, nt) })
	} else {
		parFor(c, threads, func(lo, hi int) { winoInput(im, sc.v, ld, lo, hi, t0, nt) })
	}
	parFor(16, threads, func(lo, hi int) {
		for xi := lo; xi < hi; xi++ {
			winoGemm(arch, u[xi], sc.v[xi*c*ld:(xi+1)*c*ld], ld, nt, sc.m[xi*m*ld:(xi+1)*m*ld], sc.rb, sc.cb)
		}
	})
	if arch.winoOutput != nil {
		parFor(m, threads, func(lo, hi int) { winoOutputVec(arch, im, sc.m, ld, m, bias, relu, lo, hi, t0, nt) })
	} else {
		parFor(m, threads, func(lo, hi int) { winoOutput(im, sc.m, ld, m, bias, relu, lo, hi, t0, nt) })
	}
}

// winoGemm computes mo (M × n, leading dimension ld) = a · v (K × n, ld).
func winoGemm(arch *microArch, a *PackedA, v []float32, ld, n int, mo, rb, cb []float32) {
	k := a.K
	for pc := 0; pc < k; pc += arch.kc {
		kc := min(arch.kc, k-pc)
		flags := 0
		if pc > 0 {
			flags = gemmAccum
		}
		for js := 0; js < n; js += arch.nr {
			cols := min(arch.nr, n-js)
			b := v[pc*ld+js : (pc+kc-1)*ld+js+arch.nr]
			for is := 0; is < a.M; is += arch.mr {
				rows := min(arch.mr, a.M-is)
				arch.gemm(rows, cols, kc, a.strip(pc, kc, is/arch.mr), b, ld, mo[is*ld+js:(is+rows-1)*ld+js+cols], ld, rb, cb, flags)
			}
		}
	}
}

// winoInput writes V_ξ[c][j] = (Bᵀ d B)[ξ] for channels [c0, c1) and
// tiles j < nt (t0+j overall), zero for j in [nt, ld).
func winoInput(im *winoImages, v []float32, ld, c0, c1, t0, nt int) {
	g := im.g
	c := len(v) / (16 * ld)
	per := im.tw * im.th
	for ch := c0; ch < c1; ch++ {
		for j := 0; j < nt; j++ {
			t := t0 + j
			b, tt := t/per, t%per
			y0, x0 := 2*(tt/im.tw)-g.PH, 2*(tt%im.tw)-g.PW
			plane := im.x[b*im.inStride+ch*g.H*g.W:][:g.H*g.W]
			var d [4][4]float32
			if y0 >= 0 && x0 >= 0 && y0+4 <= g.H && x0+4 <= g.W {
				for r := 0; r < 4; r++ {
					d[r] = [4]float32(plane[(y0+r)*g.W+x0:])
				}
			} else {
				for r := 0; r < 4; r++ {
					if iy := y0 + r; iy >= 0 && iy < g.H {
						for s := 0; s < 4; s++ {
							if ix := x0 + s; ix >= 0 && ix < g.W {
								d[r][s] = plane[iy*g.W+ix]
							}
						}
					}
				}
			}
			var e [4][4]float32 // Bᵀ·d
			for s := 0; s < 4; s++ {
				e[0][s] = d[0][s] - d[2][s]
				e[1][s] = d[1][s] + d[2][s]
				e[2][s] = d[2][s] - d[1][s]
				e[3][s] = d[1][s] - d[3][s]
			}
			for r := 0; r < 4; r++ { // (Bᵀ·d)·B
				base := (r*4*c+ch)*ld + j
				v[base] = e[r][0] - e[r][2]
				v[base+c*ld] = e[r][1] + e[r][2]
				v[base+2*c*ld] = e[r][2] - e[r][1]
				v[base+3*c*ld] = e[r][1] - e[r][3]
			}
		}
		for xi := 0; xi < 16; xi++ {
			clear(v[(xi*c+ch)*ld+nt : (xi*c+ch+1)*ld])
		}
	}
}

// winoSeg is the part [t0, t1) of a step's tiles that lies in image b.
type winoSeg struct {
	in     *convInput
	b      int
	t0, t1 int
}

// winoInputVec is winoInput with arch.winoInput, one run of tiles of a
// tile row at a time, from the images' even/odd column splits.
func winoInputVec(arch *microArch, im *winoImages, segs []winoSeg, v []float32, ld, c0, c1, t0, nt int) {
	c := len(v) / (16 * ld)
	per := im.tw * im.th
	for _, sg := range segs {
		in := sg.in
		rowLen := 2 * in.qn
		for ch := c0; ch < c1; ch++ {
			for t := sg.t0; t < sg.t1; {
				tt := t - sg.b*per
				ty, tx := tt/im.tw, tt%im.tw
				n := min(im.tw-tx, sg.t1-t, 16)
				src := in.data[(ch*in.hp+2*ty)*rowLen+tx:]
				arch.winoInput(v[ch*ld+t-t0:], c*ld, src, rowLen, in.qn, n)
				t += n
			}
		}
	}
	for ch := c0; ch < c1; ch++ {
		for xi := 0; xi < 16; xi++ {
			clear(v[(xi*c+ch)*ld+nt : (xi*c+ch+1)*ld])
		}
	}
}

// winoOutputVec is winoOutput with arch.winoOutput, one run of up to 16
// tiles of a tile row at a time.
func winoOutputVec(arch *microArch, im *winoImages, mo []float32, ld, m int, bias []float32, relu bool, o0, o1, t0, nt int) {
	oh, ow := im.g.OH(), im.g.OW()
	per := im.tw * im.th
	for o := o0; o < o1; o++ {
		for t := t0; t < t0+nt; {
			b, tt := t/per, t%per
			ty, tx := tt/im.tw, tt%im.tw
			n := min(im.tw-tx, t0+nt-t, 16)
			cols := min(2*n, ow-2*tx)
			flags := 0
			if relu {
				flags |= 1
			}
			if 2*ty+1 < oh {
				flags |= 2
			}
			out := im.y[b*im.outStrid+o*oh*ow+2*ty*ow+2*tx:]
			arch.winoOutput(mo[o*ld+t-t0:], m*ld, out, ow, bias[o:], flags, cols)
			t += n
		}
	}
}

// winoOutput writes y = Aᵀ M A + bias (then ReLU) for output channels
// [o0, o1) of tiles [t0, t0+nt), dropping the outputs past OH, OW.
func winoOutput(im *winoImages, mo []float32, ld, m int, bias []float32, relu bool, o0, o1, t0, nt int) {
	oh, ow := im.g.OH(), im.g.OW()
	per := im.tw * im.th
	for o := o0; o < o1; o++ {
		for j := 0; j < nt; j++ {
			var q [16]float32
			for xi := range q {
				q[xi] = mo[(xi*m+o)*ld+j]
			}
			var r [2][4]float32 // Aᵀ·M
			for s := 0; s < 4; s++ {
				r[0][s] = q[s] + q[4+s] + q[8+s]
				r[1][s] = q[4+s] - q[8+s] - q[12+s]
			}
			t := t0 + j
			b, tt := t/per, t%per
			oy, ox := 2*(tt/im.tw), 2*(tt%im.tw)
			out := im.y[b*im.outStrid+o*oh*ow:][:oh*ow]
			for i := 0; i < 2 && oy+i < oh; i++ {
				y := [2]float32{r[i][0] + r[i][1] + r[i][2], r[i][1] - r[i][2] - r[i][3]}
				for k := 0; k < 2 && ox+k < ow; k++ {
					val := y[k] + bias[o]
					if relu && val < 0 {
						val = 0
					}
					out[(oy+i)*ow+ox+k] = val
				}
			}
		}
	}
}
