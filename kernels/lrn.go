package kernels

import "math"

// LRN is local response normalisation across channels as PyTorch computes
// it (torch.nn.functional.local_response_norm, via avg_pool3d over the
// zero-padded squares): for x and y of shape (N,C,HW),
//
//	d[n, c, s] = sum over c' in [c - size/2, c + (size-1)/2] ∩ [0, C) of x[n, c', s]²
//	y[n, c, s] = x[n, c, s] / (d/size*alpha + k)^beta
//
// The division is always by size, also where the window is clipped. LRN
// keeps a running window sum per position (adding the entering channel,
// subtracting the leaving one); LRNNaive sums each window afresh.
// y must not alias x.
func LRN(n, c, hw, size int, alpha, beta, k float32, x, y []float32) {
	lo, hi := size/2, (size-1)/2
	sum := make([]float32, hw)
	for b := 0; b < n; b++ {
		xb := x[b*c*hw : (b+1)*c*hw]
		yb := y[b*c*hw : (b+1)*c*hw]
		clear(sum)
		for cc := 0; cc < min(hi, c); cc++ {
			addSquares(sum, xb[cc*hw:(cc+1)*hw], 1)
		}
		for ch := 0; ch < c; ch++ {
			if e := ch + hi; e < c {
				addSquares(sum, xb[e*hw:(e+1)*hw], 1)
			}
			if l := ch - lo - 1; l >= 0 {
				addSquares(sum, xb[l*hw:(l+1)*hw], -1)
			}
			lrnScale(sum, xb[ch*hw:(ch+1)*hw], yb[ch*hw:(ch+1)*hw], size, alpha, beta, k)
		}
	}
}

func addSquares(sum, x []float32, sign float32) {
	x = x[:len(sum)]
	for i, v := range x {
		sum[i] += sign * v * v
	}
}

// lrnScale divides x by (sum/size*alpha + k)^beta. For AlexNet's beta =
// 0.75 the power is taken as sqrt(d)*sqrt(sqrt(d)) in float64, equal to
// math.Pow to well below float32 resolution and several times faster.
func lrnScale(sum, x, y []float32, size int, alpha, beta, k float32) {
	x, y = x[:len(sum)], y[:len(sum)]
	for i, s := range sum {
		d := max(s, 0)/float32(size)*alpha + k
		var p float64
		if beta == 0.75 {
			r := math.Sqrt(float64(d))
			p = r * math.Sqrt(r)
		} else {
			p = math.Pow(float64(d), float64(beta))
		}
		y[i] = x[i] / float32(p)
	}
}

// LRNNaive is the reference loop of LRN.
func LRNNaive(n, c, hw, size int, alpha, beta, k float32, x, y []float32) {
	for b := 0; b < n; b++ {
		for ch := 0; ch < c; ch++ {
			for s := 0; s < hw; s++ {
				var d float32
				for cc := max(ch-size/2, 0); cc <= min(ch+(size-1)/2, c-1); cc++ {
					v := x[(b*c+cc)*hw+s]
					d += v * v
				}
				den := float32(math.Pow(float64(d/float32(size)*alpha+k), float64(beta)))
				y[(b*c+ch)*hw+s] = x[(b*c+ch)*hw+s] / den
			}
		}
	}
}
