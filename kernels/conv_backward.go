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
// Each of dw, db and dx may be nil to skip it. Per image and group this is
// dw_g += dy_g × im2col(x_g)ᵀ and dx_g = Col2im(w_gᵀ × dy_g), each GEMM an
// Sgemm on up to threads goroutines; db sums each row of dy in float64.
func ConvBackward(g ConvGeom, groups, outC int, x, w, dy, dw, db, dx []float32, nb, threads int) {
	m, k, p := outC/groups, g.C*g.KH*g.KW, g.OH()*g.OW()
	in := g.C * g.H * g.W
	var col []float32
	if dw != nil || dx != nil {
		col = make([]float32, k*p)
	}
	for b := 0; b < nb; b++ {
		for grp := 0; grp < groups; grp++ {
			dyg := dy[(b*outC+grp*m)*p:][:m*p]
			if db != nil {
				for o := 0; o < m; o++ {
					var s float64
					for _, v := range dyg[o*p : (o+1)*p] {
						s += float64(v)
					}
					db[grp*m+o] += float32(s)
				}
			}
			if dw != nil {
				Im2col(g, x[(b*groups+grp)*in:][:in], col)
				mustSgemm(&Gemm{M: m, N: k, K: p, A: dyg, LDA: p, B: col, LDB: p, TransB: true,
					C: dw[grp*m*k:][:m*k], LDC: k, Accumulate: true, Threads: threads})
			}
			if dx != nil {
				mustSgemm(&Gemm{M: k, N: p, K: m, A: w[grp*m*k:][:m*k], LDA: k, TransA: true,
					B: dyg, LDB: p, C: col, LDC: p, Threads: threads})
				Col2im(g, col, dx[(b*groups+grp)*in:][:in])
			}
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
					for c := 0; c < cin; c++ {
						for i := 0; i < g.KH; i++ {
							for j := 0; j < g.KW; j++ {
								iy, ix := oy*g.SH-g.PH+i, ox*g.SW-g.PW+j
								if iy < 0 || iy >= g.H || ix < 0 || ix >= g.W {
									continue
								}
								xi := ((grp*cin+c)*g.H+iy)*g.W + ix
								wi := ((o*cin+c)*g.KH+i)*g.KW + j
								if dw != nil {
									dw[wi] += d * xb[xi]
								}
								if dx != nil {
									dx[b*groups*cin*g.H*g.W+xi] += w[wi] * d
								}
							}
						}
					}
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
