package kernels

// Batch normalisation as PyTorch 1.13's CPU kernels compute it
// (aten/src/ATen/native/cpu/batch_norm_kernel.cpp, contiguous path), for
// x of shape (N,C,HW) normalised per channel c over its m = N*HW values.
// The reductions split the channels over goroutines and run each
// channel's sums on one goroutine in index order, so every result is the
// same for every thread count.

// bnGrain is the fewest channels (planes, in BatchNormApply) that
// BatchNorm kernels give one goroutine: enough for about ElementGrain
// values, so that small tensors stay on the calling goroutine.
func bnGrain(per int) int { return max(1, ElementGrain/max(per, 1)) }

// BatchNormStats computes the batch statistics of x (N,C,HW): for each
// channel c,
//
//	s         = Σ over b < N, i < HW of x[b, c, i]        (in float64)
//	mean[c]   = float32(s / (N*HW))
//	varSum[c] = float32(Σ over b, i of d*d), d = x[b, c, i] - mean[c]
//
// each d and d*d rounded to float32 and summed in float64, in the order
// b, then i (batch_norm_cpu_collect_stats). The channels are split over up
// to threads goroutines.
func BatchNormStats(n, c, hw int, x, mean, varSum []float32, threads int) {
	mean, varSum = mean[:c], varSum[:c]
	ParFor(c, bnGrain(n*hw), threads, func(c0, c1 int) {
		for ch := c0; ch < c1; ch++ {
			var s float64
			for b := 0; b < n; b++ {
				for _, v := range x[(b*c+ch)*hw : (b*c+ch+1)*hw] {
					s += float64(v)
				}
			}
			mu := float32(s / float64(n*hw))
			var q float64
			for b := 0; b < n; b++ {
				for _, v := range x[(b*c+ch)*hw : (b*c+ch+1)*hw] {
					d := v - mu
					q += float64(float32(d * d))
				}
			}
			mean[ch], varSum[ch] = mu, float32(q)
		}
	})
}

// BatchNormApply computes, for x and y of shape (N,C,HW),
//
//	y[b, c, i] = x[b, c, i]*alpha[c] + beta[c]
//
// rounded once (a fused multiply-add, as PyTorch's AVX2 kernel computes
// it; here the exact product is added in float64 and rounded to float32),
// then, when relu is set, y = max(0, y) (NaN stays NaN). The N*C planes
// are split over up to threads goroutines. y may alias x.
func BatchNormApply(n, c, hw int, alpha, beta, x, y []float32, relu bool, threads int) {
	alpha, beta = alpha[:c], beta[:c]
	x, y = x[:n*c*hw], y[:n*c*hw]
	ParFor(n*c, bnGrain(hw), threads, func(p0, p1 int) {
		for p := p0; p < p1; p++ {
			a, bt := float64(alpha[p%c]), float64(beta[p%c])
			xp, yp := x[p*hw:(p+1)*hw], y[p*hw:(p+1)*hw]
			for i, v := range xp {
				o := float32(float64(v)*a + bt)
				if relu && o < 0 {
					o = 0
				}
				yp[i] = o
			}
		}
	})
}

// BatchNormBackward is the gradient of training-mode batch normalisation
// y = (x - mean[c])*invstd[c]*weight[c] + bias, followed by a ReLU when y
// is not nil (y then holds that ReLU's output), for x, y, dy and dx of
// shape (N,C,HW) and m = N*HW, as batch_norm_cpu_backward computes it:
// with dz = dy, zeroed where y <= 0 when y is not nil, for each channel c,
//
//	sum  = Σ over b, i of dz[b, c, i]                      (in float64)
//	dotp = Σ over b, i of (x[b, c, i] - mean[c])*dz[b, c, i]  (each term in float32, summed in float64)
//	dbias[c]   += float32(sum)
//	dweight[c] += float32(dotp*invstd[c])
//	k  = float32(dotp)*invstd[c]*invstd[c]/m,  gm = float32(sum/m)  (float32)
//	dx[b, c, i] = (dz - gm - (x[b, c, i] - mean[c])*k)*invstd[c]*weight[c]  (float32, left to right)
//
// which is weight·invstd/m·(m·dz − Σdz − x̂·Σ(dz·x̂)) with x̂ = (x -
// mean)·invstd. The channels are split over up to threads goroutines.
// dx may alias dy.
func BatchNormBackward(n, c, hw int, x, y, dy, mean, invstd, weight, dweight, dbias, dx []float32, threads int) {
	mean, invstd, weight, dweight, dbias = mean[:c], invstd[:c], weight[:c], dweight[:c], dbias[:c]
	m := n * hw
	ParFor(c, bnGrain(m), threads, func(c0, c1 int) {
		for ch := c0; ch < c1; ch++ {
			mu, is, w := mean[ch], invstd[ch], weight[ch]
			var sum, dotp float64
			for b := 0; b < n; b++ {
				o := (b*c + ch) * hw
				xp, dp := x[o:o+hw], dy[o:o+hw]
				var yp []float32
				if y != nil {
					yp = y[o : o+hw]
				}
				for i, d := range dp {
					if yp != nil && !(yp[i] > 0) {
						continue
					}
					sum += float64(d)
					dotp += float64(float32((xp[i] - mu) * d))
				}
			}
			dbias[ch] += float32(sum)
			dweight[ch] += float32(dotp * float64(is))
			k := float32(float32(float32(dotp)*is)*is) / float32(m)
			gm := float32(sum / float64(m))
			for b := 0; b < n; b++ {
				o := (b*c + ch) * hw
				xp, dp, dxp := x[o:o+hw], dy[o:o+hw], dx[o:o+hw]
				var yp []float32
				if y != nil {
					yp = y[o : o+hw]
				}
				for i, d := range dp {
					if yp != nil && !(yp[i] > 0) {
						d = 0
					}
					t := float32((xp[i] - mu) * k)
					dxp[i] = float32(float32(d-gm-t)*is) * w
				}
			}
		}
	})
}
