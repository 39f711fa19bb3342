package kernels

// gemmDot computes columns j0:j1 of C for B transposed and A not (both
// operands K-contiguous), as dot products of rows of A with rows of B,
// without packing: four rows of A against two rows of B at a time, then
// the leftover rows of A one at a time against four rows of B.
func gemmDot(g *Gemm, j0, j1 int) {
	initC(g, 0, g.M, j0, j1)
	if g.K == 0 || j0 >= j1 {
		return
	}
	k := g.K
	arow := func(i int) []float32 { return g.A[i*g.LDA : i*g.LDA+k] }
	brow := func(j int) []float32 { return g.B[j*g.LDB : j*g.LDB+k] }
	add := func(i, j int, s float32) {
		v := g.C[i*g.LDC+j] + s
		if g.ReLU && v < 0 {
			v = 0
		}
		g.C[i*g.LDC+j] = v
	}
	i := 0
	for ; i+4 <= g.M; i += 4 {
		a0, a1, a2, a3 := arow(i), arow(i+1), arow(i+2), arow(i+3)
		j := j0
		for ; j+2 <= j1; j += 2 {
			s := dot4x2(a0, a1, a2, a3, brow(j), brow(j+1))
			for r := 0; r < 4; r++ {
				add(i+r, j, s[2*r])
				add(i+r, j+1, s[2*r+1])
			}
		}
		if j < j1 {
			b := brow(j)
			for r, a := range [4][]float32{a0, a1, a2, a3} {
				add(i+r, j, dot1x4(a, b, b, b, b)[0])
			}
		}
	}
	for ; i < g.M; i++ {
		a := arow(i)
		j := j0
		for ; j+4 <= j1; j += 4 {
			s := dot1x4(a, brow(j), brow(j+1), brow(j+2), brow(j+3))
			for c := 0; c < 4; c++ {
				add(i, j+c, s[c])
			}
		}
		for ; j < j1; j++ {
			b := brow(j)
			add(i, j, dot1x4(a, b, b, b, b)[0])
		}
	}
}

// dot4x2 returns s[2*r+c] = sum over p of a_r[p] * b_c[p] for r < 4, c < 2;
// all slices have the length of a0.
func dot4x2(a0, a1, a2, a3, b0, b1 []float32) [8]float32 {
	n := len(a0)
	a1, a2, a3, b0, b1 = a1[:n], a2[:n], a3[:n], b0[:n], b1[:n]
	var s00, s01, s10, s11, s20, s21, s30, s31 float32
	for p := 0; p < n; p++ {
		x0, x1 := b0[p], b1[p]
		v := a0[p]
		s00 += v * x0
		s01 += v * x1
		v = a1[p]
		s10 += v * x0
		s11 += v * x1
		v = a2[p]
		s20 += v * x0
		s21 += v * x1
		v = a3[p]
		s30 += v * x0
		s31 += v * x1
	}
	return [8]float32{s00, s01, s10, s11, s20, s21, s30, s31}
}

// dot1x4 returns s[c] = sum over p of a[p] * b_c[p] for c < 4; all slices
// have the length of a. Even and odd p are summed separately, then added.
func dot1x4(a, b0, b1, b2, b3 []float32) [4]float32 {
	n := len(a)
	b0, b1, b2, b3 = b0[:n], b1[:n], b2[:n], b3[:n]
	var e0, e1, e2, e3, o0, o1, o2, o3 float32
	p := 0
	for ; p+2 <= n; p += 2 {
		v := a[p]
		e0 += v * b0[p]
		e1 += v * b1[p]
		e2 += v * b2[p]
		e3 += v * b3[p]
		v = a[p+1]
		o0 += v * b0[p+1]
		o1 += v * b1[p+1]
		o2 += v * b2[p+1]
		o3 += v * b3[p+1]
	}
	if p < n {
		v := a[p]
		e0 += v * b0[p]
		e1 += v * b1[p]
		e2 += v * b2[p]
		e3 += v * b3[p]
	}
	return [4]float32{e0 + o0, e1 + o1, e2 + o2, e3 + o3}
}
