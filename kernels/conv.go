package kernels

import (
	"sync"

	"github.com/alexnet-go/alexnet/internal/cpuvariant"
)

// ConvWeights are a convolution's weights packed once for the packed
// driver: one PackedA per group, each (OutC/Groups)×(C*KH*KW).
type ConvWeights struct {
	Groups int
	packed []*PackedA
}

// PackConvWeights packs w, (OutC, C*KH*KW) row-major with the rows of
// group g at [g*OutC/groups, (g+1)*OutC/groups), for the architecture of
// the active Sgemm implementation.
func PackConvWeights(w []float32, outC, k, groups int) *ConvWeights {
	cw := &ConvWeights{Groups: groups}
	m := outC / groups
	for g := 0; g < groups; g++ {
		cw.packed = append(cw.packed, PackA(w[g*m*k:(g+1)*m*k], k, false, m, k))
	}
	return cw
}

// Current reports whether cw was packed for the active implementation.
func (cw *ConvWeights) Current() bool { return cw.packed[0].arch == activeArch() }

// Conv computes the grouped convolution of nb consecutive images. g is the
// geometry of one group (g.C input planes); x is (nb, Groups*g.C, H, W),
// y is (nb, OutC, OH, OW), bias has OutC values:
//
//	y[b, o, oy, ox] = bias[o] + Σ_{c<g.C, i<KH, j<KW} W[o, c, i, j] ·
//	                  x[b, grp(o)*g.C + c, oy*SH-PH+i, ox*SW-PW+j]   (0 outside x)
//	then y = max(0, y) if relu
//
// per group as one GEMM of the packed weights with the images' im2col side
// by side (nb*OH*OW columns), packed straight into the driver's panels; with
// nb > 1 the product goes to scratch and is copied into y. Columns are split
// over up to threads goroutines. Where useConvDirect, each image's im2col
// is instead read in place, output row by output row (convDirect), the
// rows split over the goroutines.
func Conv(g ConvGeom, w *ConvWeights, bias, x, y []float32, nb int, relu bool, threads int) {
	a0 := w.packed[0]
	arch, m := a0.arch, a0.M
	hw := g.OH() * g.OW()
	in, outC := g.C*g.H*g.W, m*len(w.packed)
	sc := getConvScratch(nb)
	defer convScratchPool.Put(sc)
	if useConvDirect(arch, g) {
		convDirectImages(g, w, bias, x, y, nb, relu, threads, sc)
		return
	}
	for grp, a := range w.packed {
		for b := range nb {
			first := (b*w.Groups + grp) * in
			sc.inputs[b].prepare(arch, g, x[first:first+in])
		}
		job := &gemmJob{arch: arch, a: a, packB: multiPacker(sc.inputs[:nb], hw),
			n: nb * hw, rowBias: bias[grp*m : (grp+1)*m], relu: relu}
		if nb == 1 {
			job.c, job.ldc = y[grp*m*hw:(grp+1)*m*hw], hw
			job.parallel(threads)
			continue
		}
		if cap(sc.c) < m*nb*hw {
			sc.c = make([]float32, m*nb*hw)
		}
		job.c, job.ldc = sc.c[:m*nb*hw], nb*hw
		job.parallel(threads)
		for b := range nb {
			for i := range m {
				copy(y[((b*outC)+grp*m+i)*hw:][:hw], job.c[i*nb*hw+b*hw:])
			}
		}
	}
}

// convScratch is one Conv call's reusable memory.
type convScratch struct {
	inputs []convInput
	c      []float32
	rows   offsetRows
	zeros  []float32
}

// convDirectImages is Conv by convDirect, image by image: the input's
// planes, then the output rows, split across threads goroutines.
func convDirectImages(g ConvGeom, w *ConvWeights, bias, x, y []float32, nb int, relu bool, threads int, sc *convScratch) {
	arch := w.packed[0].arch
	in := &sc.inputs[0]
	oh, hw := g.OH(), g.OH()*g.OW()
	size := g.C * g.H * g.W
	in.layout(arch, g, 0)
	in.im2colOffsets(&sc.rows)
	sc.zeros = grow(sc.zeros, arch.nr)
	clear(sc.zeros)
	for b := range nb {
		for grp, a := range w.packed {
			m := a.M
			xg := x[(b*w.Groups+grp)*size:][:size]
			parFor(g.C, threads, func(c0, c1 int) { in.fillChannels(xg, c0, c1) })
			yg := y[(b*w.Groups+grp)*m*hw:][:m*hw]
			parFor(oh, threads, func(oy0, oy1 int) {
				convDirect(arch, a, in, &sc.rows, bias[grp*m:(grp+1)*m], yg, relu, oy0, oy1, sc.zeros)
			})
		}
	}
}

var convScratchPool sync.Pool

func getConvScratch(nb int) *convScratch {
	sc, _ := convScratchPool.Get().(*convScratch)
	if sc == nil {
		sc = &convScratch{}
	}
	for len(sc.inputs) < nb {
		sc.inputs = append(sc.inputs, convInput{})
	}
	return sc
}

// imagesPerGemm is how many images ConvBatch puts side by side in one GEMM
// so that their hw output columns fill whole nr-wide strips: the smallest
// count up to 8 wasting under 2% of the columns, else the least wasteful.
func imagesPerGemm(hw, nr int) int {
	best, bestWaste := 1, 1.0
	for nb := 1; nb <= 8; nb++ {
		cols := nb * hw
		waste := float64((cols+nr-1)/nr*nr-cols) / float64(cols)
		if waste < 0.02 {
			return nb
		}
		if waste < bestWaste {
			best, bestWaste = nb, waste
		}
	}
	return best
}

// ConvBatch runs Conv over the batch images of x (batch, Groups*g.C, H, W)
// into y (batch, OutC, OH, OW), imagesPerGemm images per GEMM: chunks go to
// separate goroutines when there are at least threads of them, otherwise
// each chunk's columns are split across threads.
func ConvBatch(g ConvGeom, w *ConvWeights, bias, x, y []float32, batch int, relu bool, threads int) {
	in := w.Groups * g.C * g.H * g.W
	hw := g.OH() * g.OW()
	out := len(w.packed) * w.packed[0].M * hw
	nb := min(batch, imagesPerGemm(hw, w.packed[0].arch.nr))
	chunks := (batch + nb - 1) / nb
	chunk := func(c, threads int) {
		b0, b1 := c*nb, min(batch, (c+1)*nb)
		Conv(g, w, bias, x[b0*in:b1*in], y[b0*out:b1*out], b1-b0, relu, threads)
	}
	if threads <= 1 || chunks < threads {
		for c := range chunks {
			chunk(c, threads)
		}
		return
	}
	runTeam(threads, func(t int) {
		for c := t; c < chunks; c += threads {
			chunk(c, 1)
		}
	})
}

// multiPacker packs the im2col of several images side by side: column j
// is column j%hw of image j/hw.
func multiPacker(inputs []convInput, hw int) bPacker {
	return func(dst []float32, ld, pc, kc, jc, nc int) {
		for j := jc; j < jc+nc; {
			b, jj := j/hw, j%hw
			cnt := min(hw-jj, jc+nc-j)
			inputs[b].fill(dst, ld, j-jc, pc, kc, jj, cnt)
			j += cnt
		}
		for p := 0; p < kc; p++ {
			clear(dst[p*ld+nc : (p+1)*ld])
		}
	}
}

// convInput is one image's group of input planes rearranged so that
// every row of im2col is made of contiguous runs: zero-padded, each padded
// row split into SW phases,
//
//	data[((c*hp + iy)*SW + ph)*qn + q] = x[c, iy-PH, q*SW+ph-PW]   (0 outside x)
//
// for iy < hp = H+2*PH and q < qn = ceil((W+2*PW)/SW). Output column ox of
// kernel column kj then reads phase kj%SW at q = ox + kj/SW.
type convInput struct {
	arch   *microArch
	g      ConvGeom
	hp, qn int
	data   []float32
}

// prepare fills in from x (g.C planes of H×W), reusing in.data.
func (in *convInput) prepare(arch *microArch, g ConvGeom, x []float32) {
	in.layout(arch, g, 0)
	in.fillChannels(x, 0, g.C)
}

// layout sizes in for g with at least rows padded rows (the extra ones
// zero, for readers that run past the bottom padding), reusing in.data;
// fillChannels then fills it.
func (in *convInput) layout(arch *microArch, g ConvGeom, rows int) {
	in.arch, in.g = arch, g
	in.hp = max(g.H+2*g.PH, rows)
	in.qn = (g.W + 2*g.PW + g.SW - 1) / g.SW
	n := g.C * in.hp * g.SW * in.qn
	if cap(in.data) < n+32 { // convDirect's masked lanes read up to 31 past the end
		in.data = make([]float32, n, n+32)
	}
	in.data = in.data[:n]
}

// fillChannels fills planes [c0, c1) of in from x (g.C planes of H×W).
func (in *convInput) fillChannels(x []float32, c0, c1 int) {
	g := in.g
	rowLen := g.SW * in.qn
	var tmp []float32
	if g.SW == 4 {
		tmp = make([]float32, 2*rowLen)
	}
	for c := c0; c < c1; c++ {
		for iy := 0; iy < in.hp; iy++ {
			row := in.data[(c*in.hp+iy)*rowLen : (c*in.hp+iy+1)*rowLen]
			y := iy - g.PH
			if y < 0 || y >= g.H {
				clear(row)
				continue
			}
			src := x[(c*g.H+y)*g.W : (c*g.H+y+1)*g.W]
			switch g.SW {
			case 1:
				clear(row[:g.PW])
				copy(row[g.PW:], src)
				clear(row[g.PW+g.W:])
			case 2:
				splitPhases2(row, in.qn, src, g.PW)
			case 4:
				splitPhases4(row, in.qn, src, g.PW, tmp)
			default:
				for ph := 0; ph < g.SW; ph++ {
					d := row[ph*in.qn : (ph+1)*in.qn]
					// q in [lo, hi) maps to ix = q*SW+ph-PW inside [0, W).
					lo, hi := validRange(in.qn, g.W, g.SW, g.PW, ph)
					clear(d[:lo])
					clear(d[hi:])
					for q, ix := lo, lo*g.SW+ph-g.PW; q < hi; q, ix = q+1, ix+g.SW {
						d[q] = src[ix]
					}
				}
			}
		}
	}
}

// splitPhases2 writes the padded row (pw zeros, src, zeros) into row as
// its even entries (row[:qn]) and odd entries (row[qn:2*qn]).
func splitPhases2(row []float32, qn int, src []float32, pw int) {
	even, odd := row[:qn], row[qn:2*qn]
	clear(even)
	clear(odd)
	// Padded column pw+i goes to phase (pw+i)&1 at (pw+i)>>1: the pairs
	// (src[2j], src[2j+1]) land at lo[j] and hi[j].
	lo, hi := even[pw/2:], odd[pw/2:]
	if pw%2 == 1 {
		lo, hi = odd[pw/2:], even[pw/2+1:]
	}
	pairs := min(len(src)/2, len(lo), len(hi))
	deinterleave2(lo, hi, src, pairs)
	if 2*pairs < len(src) && pairs < len(lo) {
		lo[pairs] = src[2*pairs]
	}
}

// splitPhases4 writes the padded row (pw zeros, src, zeros) into row as
// its four phases: row[ph*qn + q] = padded[4q + ph]. tmp is scratch of
// 8*qn floats. The padded row is split in two, then each half again.
func splitPhases4(row []float32, qn int, src []float32, pw int, tmp []float32) {
	padded, halves := tmp[:4*qn], tmp[4*qn:8*qn]
	clear(padded[:min(pw, 4*qn)])
	n := copy(padded[min(pw, 4*qn):], src)
	clear(padded[min(pw, 4*qn)+n:])
	even, odd := halves[:2*qn], halves[2*qn:]
	deinterleave2(even, odd, padded, 2*qn)
	deinterleave2(row[:qn], row[2*qn:3*qn], even, qn)
	deinterleave2(row[qn:2*qn], row[3*qn:4*qn], odd, qn)
}

// deinterleave2 sets even[q] = src[2q] and odd[q] = src[2q+1] for q < n,
// with the vector kernel where the CPU has one.
func deinterleave2(even, odd, src []float32, n int) {
	even, odd, src = even[:n], odd[:n], src[:2*n]
	v := 0
	if vec := deinterleave2Vec.Get(); vec != nil {
		v = n / 16 * 16
		if v > 0 {
			vec(&even[0], &odd[0], &src[0], v)
		}
	}
	for q := v; q < n; q++ {
		even[q], odd[q] = src[2*q], src[2*q+1]
	}
}

// deinterleave2Vec is the family of deinterleave2's vector kernel: where
// not nil, deinterleave2 for n a multiple of 16 (AVX-512, pool_amd64.go).
var deinterleave2Vec = cpuvariant.NewFamily[func(even, odd, src *float32, n int)]("deinterleave2", nil)

// packer returns the bPacker of im2col(x) (see Im2col) from in.
func (in *convInput) packer() bPacker {
	return func(dst []float32, ld, pc, kc, jc, nc int) {
		in.fill(dst, ld, 0, pc, kc, jc, nc)
		for p := 0; p < kc; p++ {
			clear(dst[p*ld+nc : (p+1)*ld])
		}
	}
}

// fill sets dst[p*ld + off + j] = im2col(x)[pc+p, jc+j] for p < kc, j < nc.
func (in *convInput) fill(dst []float32, ld, off, pc, kc, jc, nc int) {
	g := in.g
	ow := g.OW()
	rowLen := g.SW * in.qn
	step := g.SH * rowLen
	copyRows := in.arch.copyRows
	if copyRows == nil {
		copyRows = copyRowsGo
	}
	oy0, ox0 := jc/ow, jc%ow
	for p := 0; p < kc; p++ {
		q := pc + p
		kj, ki, ch := q%g.KW, q/g.KW%g.KH, q/(g.KW*g.KH)
		base := (ch*in.hp+ki)*rowLen + kj%g.SW*in.qn + kj/g.SW
		copyRows(dst[p*ld+off:p*ld+off+nc], in.data[base+oy0*step:], step, ow, ox0, nc)
	}
}
