package kernels

// dotKC is the depth of one pass of the dot path when A has more rows
// than one dot kernel takes: dotN rows of B (the weights, 4×2048 floats =
// 32 KiB) stay in L1 while every row of A (the activations, M×2048)
// streams past them from L2. With at most dotM rows of A, each row of B is
// read in one pass instead, so that the hardware prefetcher follows it
// from page to page rather than starting afresh every 8 KiB (fc6 at batch
// 1: 27-29 GB/s against 23-26).
const dotKC = 2048

// sgemmDot computes g (B transposed, A not: C = A·Bᵀ, both operands
// K-contiguous) with arch.dot and no packing: the fully connected layers,
// whose weight rows are read once per call. Columns are split across
// g.Threads goroutines in whole dotN groups.
func sgemmDot(arch *microArch, g *Gemm) {
	groups := (g.N + arch.dotN - 1) / arch.dotN
	work := g.M * g.N * max(g.K, 1)
	threads := max(1, min(max(g.Threads, 1), groups, work/(1<<18)))
	parallel(g.N, arch.dotN, threads, func(j0, j1 int) { dotColumns(arch, g, j0, j1) })
}

// dotColumns computes columns [j0, j1) of C for sgemmDot.
func dotColumns(arch *microArch, g *Gemm, j0, j1 int) {
	initC(g, 0, g.M, j0, j1)
	kv := g.K / arch.lanes * arch.lanes // the vector part; the rest is summed here
	depth := dotKC
	if g.M <= arch.dotM {
		depth = max(kv, 1)
	}
	for pc := 0; pc < kv; pc += depth {
		kc := min(depth, kv-pc)
		for j := j0; j < j1; j += arch.dotN {
			n := min(arch.dotN, j1-j)
			w := g.B[j*g.LDB+pc : (j+n-1)*g.LDB+pc+kc]
			for i := 0; i < g.M; i += arch.dotM {
				m := min(arch.dotM, g.M-i)
				x := g.A[i*g.LDA+pc : (i+m-1)*g.LDA+pc+kc]
				arch.dot(m, n, kc, x, g.LDA, w, g.LDB, g.C[i*g.LDC+j:(i+m-1)*g.LDC+j+n], g.LDC)
			}
		}
	}
	for i := 0; i < g.M; i++ {
		a := g.A[i*g.LDA+kv : i*g.LDA+g.K]
		c := g.C[i*g.LDC+j0 : i*g.LDC+j1]
		for q := range c {
			b := g.B[(j0+q)*g.LDB+kv : (j0+q)*g.LDB+g.K]
			var s float32
			for p, v := range a {
				s += v * b[p]
			}
			c[q] += s
			if g.ReLU && c[q] < 0 {
				c[q] = 0
			}
		}
	}
}
