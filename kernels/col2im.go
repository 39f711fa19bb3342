package kernels

// Col2im is the adjoint of Im2col: it overwrites x, one image (C,H,W),
// with the sum of the entries of col (C*KH*KW, OH*OW) over the positions
// Im2col read them from,
//
//	x[c, iy, ix] = sum over i < KH, j < KW, oy < OH, ox < OW with
//	               oy*SH-PH+i = iy and ox*SW-PW+j = ix of
//	               col[((c*KH+i)*KW+j)*OH*OW + oy*OW + ox]
//
// (entries that fall in the padding are dropped), so that
// <Im2col(x), col> = <x, Col2im(col)>. With col = Wᵀ × dY it is the input
// gradient of a convolution. Each x[c, iy, ix] is summed from 0 in the
// order (i, j, oy, ox), as Col2imNaive does, so the two agree bit for bit.
func Col2im(g ConvGeom, col, x []float32) {
	oh, ow := g.OH(), g.OW()
	n := oh * ow
	x = x[:g.C*g.H*g.W]
	col = col[:g.C*g.KH*g.KW*n]
	clear(x)
	for c := 0; c < g.C; c++ {
		plane := x[c*g.H*g.W : (c+1)*g.H*g.W]
		for i := 0; i < g.KH; i++ {
			for j := 0; j < g.KW; j++ {
				src := col[((c*g.KH+i)*g.KW+j)*n : ((c*g.KH+i)*g.KW+j+1)*n]
				// Output columns ox whose input column ix = ox*SW-PW+j lies in [0, W).
				lo, hi := validRange(ow, g.W, g.SW, g.PW, j)
				if lo >= hi {
					continue
				}
				for oy := 0; oy < oh; oy++ {
					iy := oy*g.SH - g.PH + i
					if iy < 0 || iy >= g.H {
						continue
					}
					s := src[oy*ow+lo : oy*ow+hi]
					dst := plane[iy*g.W : (iy+1)*g.W]
					ix := lo*g.SW - g.PW + j
					if g.SW == 1 {
						d := dst[ix : ix+len(s)]
						for k, v := range s {
							d[k] += v
						}
						continue
					}
					for _, v := range s {
						dst[ix] += v
						ix += g.SW
					}
				}
			}
		}
	}
}

// Col2imNaive is the reference loop of Col2im.
func Col2imNaive(g ConvGeom, col, x []float32) {
	clear(x[:g.C*g.H*g.W])
	colTaps(g, func(xi, ci int) {
		if xi >= 0 {
			x[xi] += col[ci]
		}
	})
}
