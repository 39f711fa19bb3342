package kernels

// GemvT computes y = xᵀ·W for one row x, the input gradient of a linear
// layer at batch 1 (dx = dz·W), without packing W:
//
//	y[j] = Σ_{k<len(x)} x[k] * w[k*ldw+j]   (j < len(y))
//
// W is read once, row after row (rows whose x[k] is 0, as a ReLU's
// gradient often leaves them, are skipped), each goroutine of up to
// threads taking a contiguous range of y. The sums run in k order, four
// rows at a time.
func GemvT(y, x, w []float32, ldw, threads int) {
	n := len(y)
	if n == 0 {
		return
	}
	rows := make([]int, 0, len(x))
	for k, v := range x {
		if v != 0 {
			rows = append(rows, k)
		}
	}
	if len(rows) > 0 {
		_ = w[rows[len(rows)-1]*ldw+n-1]
	}
	ParFor(n, 256, threads, func(j0, j1 int) {
		out := y[j0:j1]
		clear(out)
		r := rows
		for ; len(r) >= 4; r = r[4:] {
			a0, a1, a2, a3 := x[r[0]], x[r[1]], x[r[2]], x[r[3]]
			w0 := w[r[0]*ldw+j0 : r[0]*ldw+j1]
			w1 := w[r[1]*ldw+j0 : r[1]*ldw+j1]
			w2 := w[r[2]*ldw+j0 : r[2]*ldw+j1]
			w3 := w[r[3]*ldw+j0 : r[3]*ldw+j1]
			for j := range out {
				out[j] += a0*w0[j] + a1*w1[j] + a2*w2[j] + a3*w3[j]
			}
		}
		for _, k := range r {
			a, wk := x[k], w[k*ldw+j0:k*ldw+j1]
			for j := range out {
				out[j] += a * wk[j]
			}
		}
	})
}
