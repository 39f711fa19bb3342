package kernels

import "github.com/alexnet-go/alexnet/internal/cpuvariant"

// ConvGeom is the geometry of one image's 2-D convolution or pooling
// window: C input planes of H×W, a KH×KW window moved by strides SH, SW
// over the input zero-padded (conv) by PH rows and PW columns on each side.
type ConvGeom struct {
	C, H, W int
	KH, KW  int
	SH, SW  int
	PH, PW  int
}

// OH is the output height floor((H + 2*PH - KH) / SH) + 1 (0 if negative).
func (g ConvGeom) OH() int { return outDim(g.H, g.KH, g.SH, g.PH) }

// OW is the output width floor((W + 2*PW - KW) / SW) + 1 (0 if negative).
func (g ConvGeom) OW() int { return outDim(g.W, g.KW, g.SW, g.PW) }

func outDim(in, k, s, p int) int {
	if s < 1 || in+2*p < k {
		return 0
	}
	return (in+2*p-k)/s + 1
}

// Im2col unfolds x, one image of shape (C,H,W), into col of shape
// (C*KH*KW, OH*OW):
//
//	col[((c*KH+i)*KW+j)*OH*OW + oy*OW + ox] = x[c, oy*SH-PH+i, ox*SW-PW+j]
//
// with 0 where the row or column falls in the padding. A convolution with
// weights W of shape (Cout, C*KH*KW) is then W × col. At SW > 1 each
// plane's rows are first split into their SW phases (columns r, r+SW, ...)
// so that every run of col is one contiguous copy, as at SW = 1.
func Im2col(g ConvGeom, x, col []float32) {
	oh, ow := g.OH(), g.OW()
	n := oh * ow
	x = x[:g.C*g.H*g.W]
	col = col[:g.C*g.KH*g.KW*n]
	pw := (g.W + g.SW - 1) / g.SW // phase width
	var phases *[]float32
	if g.SW > 1 {
		phases = getFloats(g.H * g.SW * pw)
		defer floatPool.Put(phases)
	}
	copyRows := im2colRows.Get()
	for c := 0; c < g.C; c++ {
		plane := x[c*g.H*g.W : (c+1)*g.H*g.W]
		rows, ld := plane, g.W // row iy, phase r starts at rows[(iy*SW+r)*ld]
		if phases != nil {
			rows, ld = *phases, pw
			splitPhases(plane, g.H, g.W, g.SW, pw, rows)
		}
		for i := 0; i < g.KH; i++ {
			for j := 0; j < g.KW; j++ {
				dst := col[((c*g.KH+i)*g.KW+j)*n : ((c*g.KH+i)*g.KW+j+1)*n]
				// Output columns ox whose input column ix = ox*SW-PW+j lies in
				// [0, W); ix = (ox+a)*SW + r, column ox+a of phase r.
				lo, hi := validRange(ow, g.W, g.SW, g.PW, j)
				q := j - g.PW
				a := q / g.SW
				if q < 0 && q%g.SW != 0 {
					a--
				}
				r := q - a*g.SW
				// Output rows oy whose input row iy = oy*SH-PH+i lies in [0, H).
				y0, y1 := validRange(oh, g.H, g.SH, g.PH, i)
				if lo >= hi || y0 >= y1 {
					clear(dst)
					continue
				}
				clear(dst[:y0*ow])
				clear(dst[y1*ow:])
				iy := y0*g.SH - g.PH + i
				copyRows(dst[y0*ow:y1*ow], rows[(iy*g.SW+r)*ld+lo+a:], g.SH*g.SW*ld, y1-y0, ow, lo, hi)
			}
		}
	}
}

// im2colRows sets, for r < rows, dst[r*ow : (r+1)*ow] to row r of src (lds
// floats apart) between zeros: dst[r*ow + x] = src[r*lds + x - lo] for lo
// <= x < hi, 0 elsewhere. It is the AVX-512 kernel where the CPU has it
// and ow is at most 128 (layout_amd64.go); im2colRows.Get() returns it.
var im2colRows = cpuvariant.NewFamily("im2colRows", im2colRowsGo)

// im2colRowsGo is the portable im2colRows.
func im2colRowsGo(dst, src []float32, lds, rows, ow, lo, hi int) {
	for r := 0; r < rows; r++ {
		d := dst[r*ow : (r+1)*ow]
		clear(d[:lo])
		clear(d[hi:])
		copy(d[lo:hi], src[r*lds:r*lds+hi-lo])
	}
}

// im2colMasks are avx512Im2colRows' opmasks for rows of ow floats with the
// run [lo, hi): for chunk k of 16 lanes, m[2k] the lanes in [lo, hi) and
// m[2k+1] those below ow.
func im2colMasks(ow, lo, hi int) (m [16]uint16, chunks int) {
	lanes := func(n int) uint16 { return uint16(1<<min(max(n, 0), 16) - 1) } // the lanes below n
	chunks = (ow + 15) / 16
	for k := 0; k < chunks; k++ {
		m[2*k] = lanes(hi-16*k) &^ lanes(lo-16*k)
		m[2*k+1] = lanes(ow - 16*k)
	}
	return m, chunks
}

// splitPhases writes the s phases of each of the h rows of plane (h×w) into
// dst: dst[((iy*s)+r)*pw + k] = plane[iy*w + k*s + r] for k*s + r < w.
func splitPhases(plane []float32, h, w, s, pw int, dst []float32) {
	for iy := 0; iy < h; iy++ {
		src := plane[iy*w : (iy+1)*w]
		for r := 0; r < s; r++ {
			d := dst[(iy*s+r)*pw : (iy*s+r+1)*pw]
			k := 0
			for ix := r; ix < w; ix += s {
				d[k] = src[ix]
				k++
			}
		}
	}
}

// validRange returns the range [lo, hi) of outputs o < n for which
// o*s - p + k lies in [0, in).
func validRange(n, in, s, p, k int) (lo, hi int) {
	lo, hi = 0, n
	for lo < n && lo*s-p+k < 0 {
		lo++
	}
	for hi > lo && (hi-1)*s-p+k >= in {
		hi--
	}
	return lo, hi
}

// Im2colNaive is the reference loop of Im2col.
func Im2colNaive(g ConvGeom, x, col []float32) {
	colTaps(g, func(xi, ci int) {
		var v float32
		if xi >= 0 {
			v = x[xi]
		}
		col[ci] = v
	})
}

// colTaps calls fn(xi, ci) for every entry ci = ((c*KH+i)*KW+j)*OH*OW +
// oy*OW + ox of im2col(x), in that order (c, i, j, oy, ox), with xi =
// (c*H+iy)*W+ix the index in x it copies (iy = oy*SH-PH+i, ix =
// ox*SW-PW+j), or -1 where that lies in the padding: the loop of the
// naive Im2col and Col2im.
func colTaps(g ConvGeom, fn func(xi, ci int)) {
	oh, ow := g.OH(), g.OW()
	for c := 0; c < g.C; c++ {
		for i := 0; i < g.KH; i++ {
			for j := 0; j < g.KW; j++ {
				for oy := 0; oy < oh; oy++ {
					for ox := 0; ox < ow; ox++ {
						iy, ix := oy*g.SH-g.PH+i, ox*g.SW-g.PW+j
						xi := -1
						if iy >= 0 && iy < g.H && ix >= 0 && ix < g.W {
							xi = (c*g.H+iy)*g.W + ix
						}
						fn(xi, ((c*g.KH+i)*g.KW+j)*oh*ow+oy*ow+ox)
					}
				}
			}
		}
	}
}

// windowTaps calls fn(wi, xi) for the taps of output (oy, ox) of filter o
// in group grp, over c < cin, i < KH, j < KW in that order, skipping those
// in the padding: wi = ((o*cin+c)*KH+i)*KW+j indexes the weights and xi =
// ((grp*cin+c)*H+iy)*W+ix the image (iy = oy*SH-PH+i, ix = ox*SW-PW+j).
// It is the inner loop of the naive convolution and its gradients.
func windowTaps(g ConvGeom, cin, o, grp, oy, ox int, fn func(wi, xi int)) {
	for c := 0; c < cin; c++ {
		for i := 0; i < g.KH; i++ {
			for j := 0; j < g.KW; j++ {
				iy, ix := oy*g.SH-g.PH+i, ox*g.SW-g.PW+j
				if iy < 0 || iy >= g.H || ix < 0 || ix >= g.W {
					continue
				}
				fn(((o*cin+c)*g.KH+i)*g.KW+j, ((grp*cin+c)*g.H+iy)*g.W+ix)
			}
		}
	}
}

// Conv2dNaive computes one image's grouped convolution directly:
//
//	y[o, oy, ox] = bias[o] + sum over c < C/groups, i < KH, j < KW of
//	    w[((o*(C/groups)+c)*KH+i)*KW+j] * x[g*(C/groups)+c, oy*SH-PH+i, ox*SW-PW+j]
//
// where g = o / (cout/groups), x is (C,H,W) zero-padded, y is
// (cout,OH,OW), and bias may be nil. It is the reference for Im2col
// followed by Sgemm.
func Conv2dNaive(g ConvGeom, groups, cout int, x, w, bias, y []float32) {
	oh, ow := g.OH(), g.OW()
	cin := g.C / groups
	for o := 0; o < cout; o++ {
		grp := o / (cout / groups)
		for oy := 0; oy < oh; oy++ {
			for ox := 0; ox < ow; ox++ {
				var s float32
				windowTaps(g, cin, o, grp, oy, ox, func(wi, xi int) { s += w[wi] * x[xi] })
				if bias != nil {
					s += bias[o]
				}
				y[(o*oh+oy)*ow+ox] = s
			}
		}
	}
}
