package kernels

import "math"

// LRNBackward is the gradient of LRN: for x, dy = ∂L/∂y and dx of shape
// (N,C,HW), with d the window sum of squares of LRN,
//
//	s[n, c, p]  = d[n, c, p]/size*alpha + k
//	dx[n, j, p] = dy[n, j, p] · s[n, j, p]^-beta
//	            - 2·alpha·beta/size · x[n, j, p] ·
//	              Σ_{c : j in window(c)} dy[n, c, p] · x[n, c, p] · s[n, c, p]^(-beta-1)
//
// where window(c) = [c - size/2, c + (size-1)/2], so j is in window(c) for
// c in [j - (size-1)/2, j + size/2] ∩ [0, C). This is the derivative of
// y = x · s^-beta that PyTorch's autograd takes through
// torch.nn.functional.local_response_norm. It is computed in float64 and
// rounded once. dx must not alias x or dy.
func LRNBackward(n, c, hw, size int, alpha, beta, k float32, x, dy, dx []float32) {
	LRNBackwardThreads(n, c, hw, size, alpha, beta, k, x, dy, dx, 1)
}

// LRNBackwardThreads is LRNBackward with the images split over threads
// goroutines; each image of dx is computed as LRNBackward computes it, so
// the result is the same for every thread count.
func LRNBackwardThreads(n, c, hw, size int, alpha, beta, k float32, x, dy, dx []float32, threads int) {
	if n <= 0 || c <= 0 || hw <= 0 {
		return
	}
	poolParallel(n, threads, func(i0, i1 int) {
		s := make([]float64, c*hw) // s, then s^-beta
		t := make([]float64, c*hw) // dy · x · s^(-beta-1)
		for im := i0; im < i1; im++ {
			b := im * c * hw
			lrnBackwardImage(c, hw, size, alpha, beta, k, x[b:b+c*hw], dy[b:b+c*hw], dx[b:b+c*hw], s, t)
		}
	})
}

// lrnBackwardImage is LRNBackward of one image (C,HW), with s and t
// scratch of C*HW values.
func lrnBackwardImage(c, hw, size int, alpha, beta, k float32, xb, dyb, dxb []float32, s, t []float64) {
	lo, hi := size/2, (size-1)/2
	a, b := float64(alpha)/float64(size), float64(beta)
	coef := 2 * a * b
	clear(s)
	for ch := 0; ch < c; ch++ {
		sc := s[ch*hw : (ch+1)*hw]
		for cc := max(ch-lo, 0); cc <= min(ch+hi, c-1); cc++ {
			for p, v := range xb[cc*hw : (cc+1)*hw] {
				sc[p] += float64(v) * float64(v)
			}
		}
	}
	for i := range s {
		q := s[i]*a + float64(k)
		pb := math.Pow(q, -b)
		t[i] = float64(dyb[i]) * float64(xb[i]) * pb / q
		s[i] = pb
	}
	for j := 0; j < c; j++ {
		out := dxb[j*hw : (j+1)*hw]
		for p := range out {
			var sum float64
			for cc := max(j-hi, 0); cc <= min(j+lo, c-1); cc++ {
				sum += t[cc*hw+p]
			}
			out[p] = float32(float64(dyb[j*hw+p])*s[j*hw+p] - coef*float64(xb[j*hw+p])*sum)
		}
	}
}
