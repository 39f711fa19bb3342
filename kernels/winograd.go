package kernels

import (
	"runtime"
	"sync"
)

// Winograd F(2×2, r×r) for the stride-1 convolutions with 3×3 (r = 3,
// AlexNet's conv3-5) and 5×5 (r = 5, conv2) kernels: each 2×2 block of
// outputs ("tile") comes from an α×α input window d, α = r+1, as
//
//	Y = Aᵀ [ Σ_c (G g_c Gᵀ) ⊙ (Bᵀ d_c B) ] A
//
// so the sum over input channels becomes α² independent GEMMs, one per
// position ξ of the transformed tile: M_ξ (OutC × tiles) = U_ξ (OutC × C) ·
// V_ξ (C × tiles). Per tile and channel pair that is α² multiply-adds
// instead of 4r² (16 vs 36 for 3×3, 36 vs 100 for 5×5), for two cheap
// passes of additions (the input and output transforms). The transforms
// (Lavin & Gray's, interpolation points 0, ±1, ±2, ∞) are
//
//	r = 3: Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
//	       G  = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1]
//	       Aᵀ = [1 1 1 0; 0 1 -1 -1]
//	r = 5: Bᵀ = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0;
//	             0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
//	       G  = [¼ 0 0 0 0; -⅙ -⅙ -⅙ -⅙ -⅙; -⅙ ⅙ -⅙ ⅙ -⅙;
//	             1/24 1/12 ⅙ ⅓ ⅔; 1/24 -1/12 ⅙ -⅓ ⅔; 0 0 0 0 1]
//	       Aᵀ = [1 1 1 1 1 0; 0 1 -1 2 -2 1]
//
// and results match the direct convolution to float32 rounding (tested to
// 1e-5 of the output's scale; F(2×2, 5×5) loses about one more digit than
// F(2×2, 3×3)).

// winoSpec is one F(2×2, r×r) algorithm.
type winoSpec struct {
	r, alpha int
	bt       [][]float32 // α×α
	g        [][]float64 // α×r
	at       [][]float32 // 2×α
}

// The Aᵀ of both, winoAT4 and winoAT6, are in wino_consts.go, written from
// kernels/_asm/internal/consts, which the generator of the AVX-512 dY
// transform reads.
//
//go:generate go run -C _asm ./genconsts -set wino -out ../wino_consts.go
var (
	wino3 = &winoSpec{r: 3, alpha: 4,
		bt: [][]float32{{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}},
		g:  [][]float64{{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}},
		at: winoAT4}
	wino5 = &winoSpec{r: 5, alpha: 6,
		bt: [][]float32{{4, 0, -5, 0, 1, 0}, {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
			{0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}},
		g: [][]float64{{1.0 / 4, 0, 0, 0, 0}, {-1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6},
			{-1.0 / 6, 1.0 / 6, -1.0 / 6, 1.0 / 6, -1.0 / 6},
			{1.0 / 24, 1.0 / 12, 1.0 / 6, 1.0 / 3, 2.0 / 3}, {1.0 / 24, -1.0 / 12, 1.0 / 6, -1.0 / 3, 2.0 / 3},
			{0, 0, 0, 0, 1}},
		at: winoAT6}
)

// winoSpecFor returns the algorithm for g, or nil: square 3×3 or 5×5
// kernels at stride 1 with padding below the kernel size.
func winoSpecFor(g ConvGeom) *winoSpec {
	if g.KH != g.KW || g.SH != 1 || g.SW != 1 || g.PH >= g.KH || g.PW >= g.KW {
		return nil
	}
	switch g.KH {
	case 3:
		return wino3
	case 5:
		return wino5
	}
	return nil
}

// winoTiles is the number of tiles transformed and multiplied per step:
// two NR=32 strips, so V and M of one step stay near L2.
const winoTiles = 64

// WinogradWeights are a convolution's weights transformed (U = G g Gᵀ) and
// packed: α² PackedA of OutC/Groups × C per group.
type WinogradWeights struct {
	Groups int
	spec   *winoSpec
	u      [][]*PackedA
}

// PackWinogradWeights transforms and packs w, (OutC, C, k, k) with the rows
// of group g at [g*OutC/groups, (g+1)*OutC/groups), for the active
// implementation; k is 3 or 5.
func PackWinogradWeights(w []float32, outC, c, k, groups int) *WinogradWeights {
	spec := winoSpecFor(ConvGeom{KH: k, KW: k, SH: 1, SW: 1})
	a := spec.alpha
	m := outC / groups
	ww := &WinogradWeights{Groups: groups, spec: spec, u: make([][]*PackedA, groups)}
	mat := make([]float32, a*a*m*c)
	for grp := 0; grp < groups; grp++ {
		parFor(m, runtime.GOMAXPROCS(0), func(o0, o1 int) {
			var gt [6 * 5]float64 // spec.g flattened, α×k
			for i := 0; i < a; i++ {
				copy(gt[i*k:(i+1)*k], spec.g[i])
			}
			var gg [6 * 5]float64 // G·g
			var kd [25]float64
			for o := o0; o < o1; o++ {
				for ci := 0; ci < c; ci++ {
					for q, v := range w[((grp*m+o)*c+ci)*k*k:][:k*k] {
						kd[q] = float64(v)
					}
					for i := 0; i < a; i++ {
						gi := gt[i*k : (i+1)*k]
						for j := 0; j < k; j++ {
							var s float64
							for q, gv := range gi {
								s += gv * kd[q*k+j]
							}
							gg[i*k+j] = s
						}
					}
					at := mat[o*c+ci:]
					for i := 0; i < a; i++ { // (G·g)·Gᵀ
						gi := gg[i*k : (i+1)*k]
						for j := 0; j < a; j++ {
							gj := gt[j*k : (j+1)*k]
							var s float64
							for q, v := range gi {
								s += v * gj[q]
							}
							at[(i*a+j)*m*c] = float32(s)
						}
					}
				}
			}
		})
		ww.u[grp] = make([]*PackedA, a*a)
		parFor(a*a, runtime.GOMAXPROCS(0), func(x0, x1 int) {
			for xi := x0; xi < x1; xi++ {
				ww.u[grp][xi] = PackA(mat[xi*m*c:(xi+1)*m*c], c, false, m, c)
			}
		})
	}
	return ww
}

// Current reports whether ww was packed for the active implementation.
func (ww *WinogradWeights) Current() bool { return ww.u[0][0].arch == activeArch() }

// winoScratch is one goroutine's memory for Winograd steps.
type winoScratch struct {
	v, m   []float32 // V_ξ and M_ξ of one step: α² × rows × ld
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

// image returns the slot of the even/odd split of image b of im and
// whether it is fresh: laid out in the least recently used slot but not
// yet filled (the caller fills every channel with fillChannels).
func (sc *winoScratch) image(im *winoImages, b int) (*convInput, bool) {
	sc.now++
	lru := 0
	for k := range sc.ids {
		if sc.ids[k] == b && sc.ins[k].data != nil {
			sc.use[k] = sc.now
			return &sc.ins[k], false
		}
		if sc.use[k] < sc.use[lru] {
			lru = k
		}
	}
	g := im.g
	g.SW = 2
	sc.ins[lru].layout(nil, g, 2*im.th+im.spec.alpha-2)
	sc.ids[lru], sc.use[lru] = b, sc.now
	return &sc.ins[lru], true
}

var winoScratchPool sync.Pool

// winoImages describes the images of one Winograd call for one group.
type winoImages struct {
	spec     *winoSpec
	g        ConvGeom // one group's geometry (g.C input planes)
	x, y     []float32
	inStride int // floats from one image's group input to the next
	outStrid int // floats from one image's group output to the next
	tw, th   int // tiles per row and column
}

// ConvWinograd is ConvBatch for a geometry WinogradConv.Winograd accepts, with
// weights from PackWinogradWeights; it computes the same sum.
func ConvWinograd(g ConvGeom, ww *WinogradWeights, bias, x, y []float32, batch int, relu bool, threads int) {
	m := ww.u[0][0].M
	oh, ow := g.OH(), g.OW()
	imgs := winoImages{spec: ww.spec, g: g, tw: (ow + 1) / 2, th: (oh + 1) / 2,
		inStride: ww.Groups * g.C * g.H * g.W, outStrid: ww.Groups * m * oh * ow}
	tiles := batch * imgs.tw * imgs.th
	steps := (tiles + winoTiles - 1) / winoTiles
	if threads > 1 && steps >= threads {
		// As many steps for every goroutine, each at most winoTiles.
		steps = (steps + threads - 1) / threads * threads
	}
	size := (tiles + steps - 1) / steps
	for grp := 0; grp < ww.Groups; grp++ {
		im := imgs
		im.x = x[grp*g.C*g.H*g.W:]
		im.y = y[grp*m*oh*ow:]
		b := bias[grp*m : (grp+1)*m]
		if threads <= 1 || steps < threads {
			sc := getWinoScratch()
			for s := 0; s < steps; s++ {
				t0 := s * size
				winoStep(&im, ww.u[grp], b, relu, t0, min(size, tiles-t0), threads, sc)
			}
			winoScratchPool.Put(sc)
			continue
		}
		runTeam(threads, func(t int) {
			sc := getWinoScratch()
			for s := t * steps / threads; s < (t+1)*steps/threads; s++ {
				t0 := s * size
				if t0 < tiles {
					winoStep(&im, ww.u[grp], b, relu, t0, min(size, tiles-t0), 1, sc)
				}
			}
			winoScratchPool.Put(sc)
		})
	}
}

// getWinoScratch returns scratch with no image prepared: the slots' ids
// refer to the previous call's images.
func getWinoScratch() *winoScratch {
	sc, ok := winoScratchPool.Get().(*winoScratch)
	if !ok {
		sc = &winoScratch{}
	}
	sc.forget()
	return sc
}

// forget marks every slot empty, for images other than the ones its ids
// refer to (another call's, or another group's planes).
func (sc *winoScratch) forget() {
	for k := range sc.ids {
		sc.ids[k] = -1
	}
}

// grow returns s with length n, reallocated if its capacity is short.
func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// winoStep computes tiles [t0, t0+nt) (numbered across the images, row
// by row) of one group: input transform into V, α² GEMMs into M, output
// transform into y.
func winoStep(im *winoImages, u []*PackedA, bias []float32, relu bool, t0, nt, threads int, sc *winoScratch) {
	arch := u[0].arch
	c, m := u[0].K, u[0].M
	ld := panelLD(arch, nt)
	nx := len(u)
	sc.v = grow(sc.v, nx*c*ld)
	sc.m = grow(sc.m, nx*m*ld)
	sc.rb = grow(sc.rb, m+arch.mr)
	sc.cb = grow(sc.cb, ld+arch.nr)
	clear(sc.rb)
	clear(sc.cb)
	winoInputStep(arch, im, sc.v, ld, c, t0, nt, threads, sc)
	parFor(nx, threads, func(lo, hi int) {
		for xi := lo; xi < hi; xi++ {
			winoGemm(arch, u[xi], sc.v[xi*c*ld:(xi+1)*c*ld], ld, nt, sc.m[xi*m*ld:(xi+1)*m*ld], sc.rb, sc.cb)
		}
	})
	if wk := arch.wino[im.spec.alpha]; wk.output != nil {
		parFor(m, threads, func(lo, hi int) { winoOutputVec(wk.output, im, sc.m, ld, m, bias, relu, lo, hi, t0, nt) })
	} else {
		parFor(m, threads, func(lo, hi int) { winoOutput(im, sc.m, ld, m, bias, relu, lo, hi, t0, nt) })
	}
}

// winoInputStep writes V_ξ[ch][j] = (Bᵀ d B)[ξ] into v[(ξ*c+ch)*ld+j] for
// the c channels of im and tiles j < nt (t0+j overall), with the vector
// kernel where arch has one, the channels split over threads goroutines.
func winoInputStep(arch *microArch, im *winoImages, v []float32, ld, c, t0, nt, threads int, sc *winoScratch) {
	wk := arch.wino[im.spec.alpha]
	if wk.input == nil {
		parFor(c, threads, func(lo, hi int) { winoInput(im, v, ld, lo, hi, t0, nt) })
		return
	}
	per := im.tw * im.th
	sc.reserve(nt/per + 2)
	var segs []winoSeg
	for t := t0; t < t0+nt; {
		b := t / per
		end := min(t0+nt, (b+1)*per)
		in, fresh := sc.image(im, b)
		segs = append(segs, winoSeg{in, fresh, b, t, end})
		t = end
	}
	parFor(c, threads, func(lo, hi int) {
		for _, sg := range segs {
			if sg.fresh {
				sg.in.fillChannels(im.x[sg.b*im.inStride:], lo, hi)
			}
		}
		winoInputVec(wk.input, im, segs, v, ld, lo, hi, t0, nt)
	})
}

// winoGemm computes mo (M × n, leading dimension ld) = a · v (K × n, ld).
func winoGemm(arch *microArch, a *PackedA, v []float32, ld, n int, mo, rb, cb []float32) {
	k := a.K
	for pc := 0; pc < k; pc += a.kc {
		kc := min(a.kc, k-pc)
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
// tiles j < nt (t0+j overall): the portable transform, any α. Columns
// [nt, ld) keep what they held: they only feed GEMM output columns past
// nt, which nothing reads.
func winoInput(im *winoImages, v []float32, ld, c0, c1, t0, nt int) {
	g, sp := im.g, im.spec
	a := sp.alpha
	nx := a * a
	c := len(v) / (nx * ld)
	per := im.tw * im.th
	d := make([]float32, nx)
	e := make([]float32, nx)
	for ch := c0; ch < c1; ch++ {
		for j := 0; j < nt; j++ {
			t := t0 + j
			b, tt := t/per, t%per
			y0, x0 := 2*(tt/im.tw)-g.PH, 2*(tt%im.tw)-g.PW
			plane := im.x[b*im.inStride+ch*g.H*g.W:][:g.H*g.W]
			for r := 0; r < a; r++ {
				for q := 0; q < a; q++ {
					d[r*a+q] = 0
					if iy, ix := y0+r, x0+q; iy >= 0 && iy < g.H && ix >= 0 && ix < g.W {
						d[r*a+q] = plane[iy*g.W+ix]
					}
				}
			}
			for r := 0; r < a; r++ { // e = Bᵀ·d
				for q := 0; q < a; q++ {
					var s float32
					for k := 0; k < a; k++ {
						s += sp.bt[r][k] * d[k*a+q]
					}
					e[r*a+q] = s
				}
			}
			for r := 0; r < a; r++ { // (Bᵀ·d)·B
				for q := 0; q < a; q++ {
					var s float32
					for k := 0; k < a; k++ {
						s += e[r*a+k] * sp.bt[q][k]
					}
					v[((r*a+q)*c+ch)*ld+j] = s
				}
			}
		}
	}
}

// winoSeg is the part [t0, t1) of a step's tiles that lies in image b,
// whose even/odd split in is still to be filled when fresh.
type winoSeg struct {
	in     *convInput
	fresh  bool
	b      int
	t0, t1 int
}

// winoInputVec is winoInput with a vector kernel, one run of up to 16
// tiles of a tile row at a time, from the images' even/odd column splits.
func winoInputVec(input winoInputFunc, im *winoImages, segs []winoSeg, v []float32, ld, c0, c1, t0, nt int) {
	nx := im.spec.alpha * im.spec.alpha
	c := len(v) / (nx * ld)
	per := im.tw * im.th
	var tmp [36 * 16]float32
	for _, sg := range segs {
		in := sg.in
		rowLen := 2 * in.qn
		for ch := c0; ch < c1; ch++ {
			for t := sg.t0; t < sg.t1; {
				tt := t - sg.b*per
				ty, tx := tt/im.tw, tt%im.tw
				n := min(im.tw-tx, sg.t1-t, 16)
				src := in.data[(ch*in.hp+2*ty)*rowLen+tx:]
				input(v[ch*ld+t-t0:], c*ld, src, rowLen, in.qn, n, tmp[:])
				t += n
			}
		}
	}
}

// winoOutputVec is winoOutput with a vector kernel, one run of up to 16
// tiles of a tile row at a time.
func winoOutputVec(output winoOutputFunc, im *winoImages, mo []float32, ld, m int, bias []float32, relu bool, o0, o1, t0, nt int) {
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
			output(mo[o*ld+t-t0:], m*ld, out, ow, bias[o:], flags, cols)
			t += n
		}
	}
}

// winoOutput writes y = Aᵀ M A + bias (then ReLU) for output channels
// [o0, o1) of tiles [t0, t0+nt), dropping the outputs past OH, OW: the
// portable transform, any α.
func winoOutput(im *winoImages, mo []float32, ld, m int, bias []float32, relu bool, o0, o1, t0, nt int) {
	sp := im.spec
	a := sp.alpha
	oh, ow := im.g.OH(), im.g.OW()
	per := im.tw * im.th
	q := make([]float32, a*a)
	r := make([]float32, 2*a)
	for o := o0; o < o1; o++ {
		for j := 0; j < nt; j++ {
			for xi := range q {
				q[xi] = mo[(xi*m+o)*ld+j]
			}
			for i := 0; i < 2; i++ { // r = Aᵀ·M
				for s := 0; s < a; s++ {
					var sum float32
					for k := 0; k < a; k++ {
						sum += sp.at[i][k] * q[k*a+s]
					}
					r[i*a+s] = sum
				}
			}
			t := t0 + j
			b, tt := t/per, t%per
			oy, ox := 2*(tt/im.tw), 2*(tt%im.tw)
			out := im.y[b*im.outStrid+o*oh*ow:][:oh*ow]
			for i := 0; i < 2 && oy+i < oh; i++ {
				for k := 0; k < 2 && ox+k < ow; k++ {
					var val float32
					for s := 0; s < a; s++ {
						val += r[i*a+s] * sp.at[k][s]
					}
					val += bias[o]
					if relu && val < 0 {
						val = 0
					}
					out[(oy+i)*ow+ox+k] = val
				}
			}
		}
	}
}
