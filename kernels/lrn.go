package kernels

import "math"

// LRN is LRNThreads with one goroutine.
func LRN(n, c, hw, size int, alpha, beta, k float32, x, y []float32) {
	LRNThreads(n, c, hw, size, alpha, beta, k, x, y, 1)
}

// LRNThreads is local response normalisation across channels as PyTorch
// computes it (torch.nn.functional.local_response_norm, via avg_pool3d
// over the zero-padded squares): for x and y of shape (N,C,HW),
//
//	d[n, c, s] = sum over c' in [c - size/2, c + (size-1)/2] ∩ [0, C) of x[n, c', s]²
//	y[n, c, s] = x[n, c, s] / (d/size*alpha + k)^beta
//
// The division is always by size, also where the window is clipped. Each
// window is summed afresh in channel order; d/size*alpha is taken as
// d*(1/size)*alpha, and for AlexNet's beta = 0.75 the power as
// sqrt(q)*sqrt(sqrt(q)) (in float32 in the assembly, in float64 in the
// portable code; either way within a few float32 ulps of LRNNaive). The
// images and runs of positions are split over up to threads goroutines.
// y must not alias x.
func LRNThreads(n, c, hw, size int, alpha, beta, k float32, x, y []float32, threads int) {
	lrn(activePool(), n, c, hw, size, alpha, beta, k, x, y, threads)
}

// lrnChunk is the most positions lrn scales through all channels before
// moving on, so that the window's rows stay in the L2 cache. Longer runs
// stream better: the hardware prefetchers follow each row further.
const lrnChunk = 16384

func lrn(im *poolImpl, n, c, hw, size int, alpha, beta, k float32, x, y []float32, threads int) {
	if n <= 0 || c <= 0 || hw <= 0 {
		return
	}
	lo, hi := size/2, (size-1)/2
	rsize := 1 / float32(size)
	// Runs of at most lrnChunk positions, enough of them for every thread
	// when there are fewer images than threads, a multiple of 16 long.
	chunks := max((hw+lrnChunk-1)/lrnChunk, min((threads+n-1)/n, hw/64))
	run := ((hw+chunks-1)/chunks + 15) &^ 15
	chunks = (hw + run - 1) / run
	poolParallel(n*chunks, threads, func(j0, j1 int) {
		for j := j0; j < j1; j++ {
			b, s0 := j/chunks, j%chunks*run
			m := min(hw-s0, run)
			xb, yb := x[b*c*hw+s0:(b+1)*c*hw], y[b*c*hw+s0:(b+1)*c*hw]
			for ch := 0; ch < c; ch++ {
				c0, c1 := max(ch-lo, 0), min(ch+hi, c-1)
				win := xb[c0*hw : c1*hw+m]
				xc, yc := xb[ch*hw:ch*hw+m], yb[ch*hw:ch*hw+m]
				if beta == 0.75 {
					im.lrn075(win, hw, c1-c0+1, xc, yc, m, rsize, alpha, k)
				} else {
					lrnPow(win, hw, c1-c0+1, xc, yc, m, rsize, alpha, beta, k)
				}
			}
		}
	})
}

// lrnGo is poolImpl.lrn075: for o < n,
//
//	s := sum over i < cnt of x[i*ld+o]² (in order i = 0, 1, ...)
//	q := s*rsize*alpha + k
//	y[o] = xc[o] / (sqrt(q)*sqrt(sqrt(q)))
//
// the power taken in float64, equal to math.Pow(q, 0.75) to well below
// float32 resolution and several times faster.
func lrnGo(x []float32, ld, cnt int, xc, y []float32, n int, rsize, alpha, k float32) {
	xc, y = xc[:n], y[:n]
	for o := range y {
		s := sumSquares(x, ld, cnt, o)
		r := math.Sqrt(float64(s*rsize*alpha + k))
		y[o] = xc[o] / float32(r*math.Sqrt(r))
	}
}

// sumSquares is the sum over i < cnt of x[i*ld+o]², in order i = 0, 1, ...
func sumSquares(x []float32, ld, cnt, o int) float32 {
	var s float32
	for i := 0; i < cnt; i++ {
		v := x[i*ld+o]
		s += v * v
	}
	return s
}

// lrnPow is lrnGo for any beta, with math.Pow.
func lrnPow(x []float32, ld, cnt int, xc, y []float32, n int, rsize, alpha, beta, k float32) {
	xc, y = xc[:n], y[:n]
	for o := range y {
		s := sumSquares(x, ld, cnt, o)
		y[o] = xc[o] / float32(math.Pow(float64(s*rsize*alpha+k), float64(beta)))
	}
}

// LRNNaive is the reference loop of LRN.
func LRNNaive(n, c, hw, size int, alpha, beta, k float32, x, y []float32) {
	lrnRef(n, c, hw, size, alpha, beta, k, x, y)
}

// lrnRef is LRNNaive's loop in F: for each position, the sum of squares d
// over the window in channel order, then y = x / (d/size*alpha + k)^beta,
// every operation in F but the power (float64).
func lrnRef[F float32 | float64](n, c, hw, size int, alpha, beta, k F, x, y []F) {
	for b := 0; b < n; b++ {
		for ch := 0; ch < c; ch++ {
			for s := 0; s < hw; s++ {
				var d F
				for cc := max(ch-size/2, 0); cc <= min(ch+(size-1)/2, c-1); cc++ {
					v := x[(b*c+cc)*hw+s]
					d += v * v
				}
				den := F(math.Pow(float64(d/F(size)*alpha+k), float64(beta)))
				y[(b*c+ch)*hw+s] = x[(b*c+ch)*hw+s] / den
			}
		}
	}
}
