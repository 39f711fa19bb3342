package kernels

// packA copies op(A)[ic:ic+mc, pc:pc+kc] into ap as MR-tall strips: strip
// s holds ap[s*MR*kc + p*MR + r] = op(A)[ic+s*MR+r, pc+p], zero past mc.
func packA(g *Gemm, ap []float32, ic, mc, pc, kc int) {
	for s := 0; s*gemmMR < mc; s++ {
		dst := ap[s*gemmMR*kc : (s+1)*gemmMR*kc]
		for r := 0; r < gemmMR; r++ {
			i := ic + s*gemmMR + r
			if s*gemmMR+r >= mc {
				for p := 0; p < kc; p++ {
					dst[p*gemmMR+r] = 0
				}
				continue
			}
			if g.TransA {
				for p := 0; p < kc; p++ {
					dst[p*gemmMR+r] = g.A[(pc+p)*g.LDA+i]
				}
				continue
			}
			src := g.A[i*g.LDA+pc : i*g.LDA+pc+kc]
			for p, v := range src {
				dst[p*gemmMR+r] = v
			}
		}
	}
}

// packB copies op(B)[pc:pc+kc, jc:jc+nc] into bp as NR-wide strips: strip
// s holds bp[s*NR*kc + p*NR + c] = op(B)[pc+p, jc+s*NR+c], zero past nc.
func packB(g *Gemm, bp []float32, pc, kc, jc, nc int) {
	for s := 0; s*gemmNR < nc; s++ {
		dst := bp[s*gemmNR*kc : (s+1)*gemmNR*kc]
		j := jc + s*gemmNR
		cols := min(gemmNR, nc-s*gemmNR)
		if g.TransB {
			for c := 0; c < gemmNR; c++ {
				if c >= cols {
					for p := 0; p < kc; p++ {
						dst[p*gemmNR+c] = 0
					}
					continue
				}
				src := g.B[(j+c)*g.LDB+pc : (j+c)*g.LDB+pc+kc]
				for p, v := range src {
					dst[p*gemmNR+c] = v
				}
			}
			continue
		}
		for p := 0; p < kc; p++ {
			d := dst[p*gemmNR : p*gemmNR+gemmNR : p*gemmNR+gemmNR]
			row := (pc + p) * g.LDB
			if cols == gemmNR {
				src := g.B[row+j : row+j+gemmNR : row+j+gemmNR]
				d[0], d[1], d[2], d[3] = src[0], src[1], src[2], src[3]
				continue
			}
			for c := 0; c < gemmNR; c++ {
				d[c] = 0
				if c < cols {
					d[c] = g.B[row+j+c]
				}
			}
		}
	}
}
