package kernels

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
)

// bnRef is training-mode batch normalisation (and its gradient, with
// ReLU when relu is set) computed in float64 from the textbook formulas.
func bnRef(n, c, hw int, x, w, b, dy []float32, relu bool) (y, dx, dw, db []float64) {
	m := float64(n * hw)
	y, dx = make([]float64, len(x)), make([]float64, len(x))
	dw, db = make([]float64, c), make([]float64, c)
	at := func(bi, ch, i int) int { return (bi*c+ch)*hw + i }
	for ch := 0; ch < c; ch++ {
		var mu, v float64
		for bi := 0; bi < n; bi++ {
			for i := 0; i < hw; i++ {
				mu += float64(x[at(bi, ch, i)])
			}
		}
		mu /= m
		for bi := 0; bi < n; bi++ {
			for i := 0; i < hw; i++ {
				d := float64(x[at(bi, ch, i)]) - mu
				v += d * d
			}
		}
		is := 1 / math.Sqrt(v/m+1e-5)
		var sdz, sdzx float64
		dz := make([]float64, len(x))
		for bi := 0; bi < n; bi++ {
			for i := 0; i < hw; i++ {
				j := at(bi, ch, i)
				xh := (float64(x[j]) - mu) * is
				y[j] = xh*float64(w[ch]) + float64(b[ch])
				dz[j] = float64(dy[j])
				if relu && y[j] <= 0 {
					y[j], dz[j] = 0, 0
				}
				sdz += dz[j]
				sdzx += dz[j] * xh
			}
		}
		db[ch], dw[ch] = sdz, sdzx
		for bi := 0; bi < n; bi++ {
			for i := 0; i < hw; i++ {
				j := at(bi, ch, i)
				xh := (float64(x[j]) - mu) * is
				dx[j] = float64(w[ch]) * is / m * (m*dz[j] - sdz - xh*sdzx)
			}
		}
	}
	return y, dx, dw, db
}

// relErr is max |got - want| over max |want|.
func relErr(got []float32, want []float64) float64 {
	var d, s float64
	for i, v := range want {
		d = max(d, math.Abs(float64(got[i])-v))
		s = max(s, math.Abs(v))
	}
	return d / s
}

// TestBatchNorm checks BatchNormStats, BatchNormApply and
// BatchNormBackward against bnRef, with guards after every output, and
// that 1 to 4 threads give the same bits.
func TestBatchNorm(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	for _, s := range []struct{ n, c, hw int }{{2, 3, 5}, {8, 5, 1}, {3, 4, 6000}} {
		for _, relu := range []bool{false, true} {
			name := fmt.Sprintf("%+v/relu=%v", s, relu)
			size := s.n * s.c * s.hw
			x, dy := randSlice(rng, size), randSlice(rng, size)
			for i := range x {
				x[i] = 3*x[i] + 1
			}
			w, b := randSlice(rng, s.c), randSlice(rng, s.c)
			var first [][]float32
			for threads := 1; threads <= 4; threads++ {
				mean, varSum := guarded(s.c), guarded(s.c)
				BatchNormStats(s.n, s.c, s.hw, x, mean, varSum, threads)
				alpha, beta, invstd := make([]float32, s.c), make([]float32, s.c), make([]float32, s.c)
				for ch := range s.c {
					invstd[ch] = float32(1 / math.Sqrt(float64(varSum[ch]/float32(s.n*s.hw))+1e-5))
					alpha[ch] = invstd[ch] * w[ch]
					beta[ch] = b[ch] - mean[ch]*alpha[ch]
				}
				y, dx := guarded(size), guarded(size)
				BatchNormApply(s.n, s.c, s.hw, alpha, beta, x, y, relu, threads)
				var yr []float32
				if relu {
					yr = y[:size]
				}
				dw, db := guarded(s.c), guarded(s.c)
				clear(dw[:s.c])
				clear(db[:s.c])
				BatchNormBackward(s.n, s.c, s.hw, x, yr, dy, mean, invstd, w, dw, db, dx, threads)
				outs := [][]float32{mean, varSum, y, dx, dw, db}
				for k, o := range outs {
					for _, v := range o[len(o)-guardLen:] {
						if v != guard {
							t.Fatalf("%s threads %d: output %d guard overwritten", name, threads, k)
						}
					}
				}
				if threads == 1 {
					first = outs
					wy, wdx, wdw, wdb := bnRef(s.n, s.c, s.hw, x, w, b, dy, relu)
					for _, q := range []struct {
						what string
						got  []float32
						want []float64
						tol  float64
					}{{"y", y, wy, 1e-6}, {"dx", dx, wdx, 1e-5}, {"dweight", dw, wdw, 1e-5}, {"dbias", db, wdb, 1e-5}} {
						if e := relErr(q.got, q.want); e > q.tol {
							t.Errorf("%s: %s relative error %.3g > %g", name, q.what, e, q.tol)
						}
					}
					continue
				}
				for k, o := range outs {
					if i := sameBits(o, first[k]); i >= 0 {
						t.Fatalf("%s: output %d differs at %d with %d threads", name, k, i, threads)
					}
				}
			}
		}
	}
}

// guarded returns n values followed by guardLen guards.
func guarded(n int) []float32 {
	s := make([]float32, n+guardLen)
	for i := range s {
		s[i] = guard
	}
	return s
}
