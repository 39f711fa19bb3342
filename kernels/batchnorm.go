package kernels

import "github.com/alexnet-go/alexnet/internal/cpuvariant"

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
//	y[b, c, i] = fma(x[b, c, i], alpha[c], beta[c])
//
// rounded once, as PyTorch's AVX2 kernel computes it, then, when relu is
// set, y = max(0, y) (NaN and -0 stay). The N*C planes are split over up
// to threads goroutines. y may alias x.
func BatchNormApply(n, c, hw int, alpha, beta, x, y []float32, relu bool, threads int) {
	batchNormApply(activeBN(), n, c, hw, alpha, beta, x, y, relu, threads)
}

func batchNormApply(im *bnImpl, n, c, hw int, alpha, beta, x, y []float32, relu bool, threads int) {
	alpha, beta = alpha[:c], beta[:c]
	x, y = x[:n*c*hw], y[:n*c*hw]
	ParFor(n*c, bnGrain(hw), threads, func(p0, p1 int) {
		for p := p0; p < p1; p++ {
			im.apply(x[p*hw:(p+1)*hw], y[p*hw:(p+1)*hw], alpha[p%c], beta[p%c], relu)
		}
	})
}

// BatchNormBackward is the gradient of training-mode batch normalisation
// y = (x - mean[c])*invstd[c]*weight[c] + bias, followed by a ReLU when y
// is not nil (y then holds that ReLU's output), for x, y, dy and dx of
// shape (N,C,HW) and m = N*HW, as batch_norm_cpu_backward computes it:
// with dz = dy, zeroed where !(y > 0) when y is not nil, for each channel c,
//
//	sum  = Σ over b, i of dz[b, c, i]                      (in float64)
//	dotp = Σ over b, i of (x[b, c, i] - mean[c])*dz[b, c, i]  (each term in float32, summed in float64)
//	dbias[c]   += float32(sum)
//	dweight[c] += float32(dotp*invstd[c])
//	k  = float32(dotp)*invstd[c]*invstd[c]/m,  gm = float32(sum/m)  (float32)
//	dx[b, c, i] = (dz - gm - (x[b, c, i] - mean[c])*k)*invstd[c]*weight[c]  (float32, left to right)
//
// which is weight·invstd/m·(m·dz − Σdz − x̂·Σ(dz·x̂)) with x̂ = (x -
// mean)·invstd. Both sums run in 16 float64 lanes, term i of each plane
// into lane i%16, added up by bnLanes: the same bits for every kernel
// variant. The channels are split over up to threads goroutines. dx may
// alias dy.
func BatchNormBackward(n, c, hw int, x, y, dy, mean, invstd, weight, dweight, dbias, dx []float32, threads int) {
	batchNormBackward(activeBN(), n, c, hw, x, y, dy, mean, invstd, weight, dweight, dbias, dx, threads)
}

func batchNormBackward(im *bnImpl, n, c, hw int, x, y, dy, mean, invstd, weight, dweight, dbias, dx []float32, threads int) {
	mean, invstd, weight, dweight, dbias = mean[:c], invstd[:c], weight[:c], dweight[:c], dbias[:c]
	m := n * hw
	plane := func(s []float32, b, ch int) []float32 {
		if s == nil {
			return nil
		}
		o := (b*c + ch) * hw
		return s[o : o+hw]
	}
	ParFor(c, bnGrain(m), threads, func(c0, c1 int) {
		var acc [32]float64
		for ch := c0; ch < c1; ch++ {
			mu, is, w := mean[ch], invstd[ch], weight[ch]
			acc = [32]float64{}
			for b := 0; b < n; b++ {
				im.sums(plane(x, b, ch), plane(dy, b, ch), plane(y, b, ch), mu, &acc)
			}
			sum, dotp := bnLanes((*[16]float64)(acc[:16])), bnLanes((*[16]float64)(acc[16:]))
			dbias[ch] += float32(sum)
			dweight[ch] += float32(dotp * float64(is))
			k := float32(float32(float32(dotp)*is)*is) / float32(m)
			gm := float32(sum / float64(m))
			for b := 0; b < n; b++ {
				im.dx(plane(x, b, ch), plane(dy, b, ch), plane(y, b, ch), plane(dx, b, ch), mu, k, gm, is, w)
			}
		}
	})
}

// bnLanes adds up 16 float64 lanes pairwise: (0+8), (4+12), ... in a
// fixed tree, so the total does not depend on the kernel variant.
func bnLanes(l *[16]float64) float64 {
	var h [8]float64
	for i := range h {
		h[i] = l[i] + l[i+8]
	}
	q := [4]float64{h[0] + h[4], h[1] + h[5], h[2] + h[6], h[3] + h[7]}
	return (q[0] + q[2]) + (q[1] + q[3])
}

// bnImpl is one implementation of the plane kernels under BatchNormApply
// and BatchNormBackward. The assembly one registers where the CPU has it
// (bn_amd64.go); the exported kernels run the selected one (see
// cpuvariant), and tests run every one. All give the same bits.
type bnImpl struct {
	name string
	// apply sets y[i] = fma(x[i], a, b) (one rounding), then with relu
	// max(0, y[i]) keeping NaN and -0, for i < len(x).
	apply func(x, y []float32, a, b float32, relu bool)
	// sums adds, for each i < len(dy) where y is nil or y[i] > 0,
	// float64(dy[i]) to acc[i%16] and float64(float32(x[i]-mu)*dy[i]) to
	// acc[16+i%16].
	sums func(x, dy, y []float32, mu float32, acc *[32]float64)
	// dx sets dx[i] = float32(float32(d - gm - float32(float32(x[i]-mu)*k))*is)*w
	// with every operation rounded to float32 and d = dy[i], or 0 where y
	// is not nil and !(y[i] > 0).
	dx func(x, dy, y, dx []float32, mu, k, gm, is, w float32)
}

// bnVariants is the batch-norm family.
var bnVariants = cpuvariant.NewFamily("batchnorm", &bnImpl{"portable", bnApplyGo, bnSumsGo, bnDxGo})

// activeBN is the implementation the exported kernels run.
func activeBN() *bnImpl { return bnVariants.Get() }

// bnApplyGo is bnImpl.apply.
func bnApplyGo(x, y []float32, a, b float32, relu bool) {
	y = y[:len(x)]
	for i, v := range x {
		o := fma32(v, a, b)
		if relu && o < 0 {
			o = 0
		}
		y[i] = o
	}
}

// bnSumsGo is bnImpl.sums.
func bnSumsGo(x, dy, y []float32, mu float32, acc *[32]float64) {
	x = x[:len(dy)]
	if y != nil {
		y = y[:len(dy)]
	}
	for i, d := range dy {
		if y != nil && !(y[i] > 0) {
			continue
		}
		acc[i&15] += float64(d)
		acc[16+(i&15)] += float64(float32(float32(x[i]-mu) * d))
	}
}

// bnDxGo is bnImpl.dx.
func bnDxGo(x, dy, y, dx []float32, mu, k, gm, is, w float32) {
	x, dx = x[:len(dy)], dx[:len(dy)]
	if y != nil {
		y = y[:len(dy)]
	}
	for i, d := range dy {
		if y != nil && !(y[i] > 0) {
			d = 0
		}
		t := float32(float32(x[i]-mu) * k)
		dx[i] = float32(float32(float32(d-gm)-t)*is) * w
	}
}
