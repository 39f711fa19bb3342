package kernels

import (
	"fmt"
	"math"
	"math/big"
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
// that every kernel variant and 1 to 4 threads give the same bits.
func TestBatchNorm(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	for _, s := range []struct{ n, c, hw int }{{2, 3, 5}, {8, 5, 1}, {3, 4, 6000}, {4, 3, 49}} {
		for _, relu := range []bool{false, true} {
			name := fmt.Sprintf("%+v/relu=%v", s, relu)
			size := s.n * s.c * s.hw
			x, dy := randSlice(rng, size), randSlice(rng, size)
			for i := range x {
				x[i] = 3*x[i] + 1
			}
			w, b := randSlice(rng, s.c), randSlice(rng, s.c)
			var first [][]float32
			for _, im := range bnVariants.Impls() {
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
					batchNormApply(im, s.n, s.c, s.hw, alpha, beta, x, y, relu, threads)
					var yr []float32
					if relu {
						yr = y[:size]
					}
					dw, db := guarded(s.c), guarded(s.c)
					clear(dw[:s.c])
					clear(db[:s.c])
					batchNormBackward(im, s.n, s.c, s.hw, x, yr, dy, mean, invstd, w, dw, db, dx, threads)
					outs := [][]float32{mean, varSum, y, dx, dw, db}
					for k, o := range outs {
						for _, v := range o[len(o)-guardLen:] {
							if v != guard {
								t.Fatalf("%s %s threads %d: output %d guard overwritten", name, im.name, threads, k)
							}
						}
					}
					if first == nil {
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
							t.Fatalf("%s: output %d differs at %d with %s, %d threads", name, k, i, im.name, threads)
						}
					}
				}
			}
		}
	}
}

// TestBNPlaneKernels runs every variant's plane kernels on planes of 0 to
// 40 floats with NaN, ±0, infinities and subnormals among them, each
// followed by guards, and checks that they give the portable kernels'
// bits and leave the guards alone.
func TestBNPlaneKernels(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	fill := func(n int) []float32 { return guardedSpecials(rng, n) }
	ref := bnVariants.Impls()[0]
	for _, im := range bnVariants.Impls()[1:] {
		for n := 0; n <= 40; n++ {
			x, dy, y := fill(n), fill(n), fill(n)
			a, b := float32(rng.NormFloat64()), float32(rng.NormFloat64())
			for _, relu := range []bool{false, true} {
				want, got := guarded(n), guarded(n)
				ref.apply(x[:n], want, a, b, relu)
				im.apply(x[:n], got, a, b, relu)
				if i := sameBits(got, want); i >= 0 {
					t.Fatalf("%s apply n=%d relu=%v: differs at %d: %v, want %v", im.name, n, relu, i, got[i], want[i])
				}
				var yr []float32
				if relu {
					yr = y[:n]
				}
				var wa, ga [32]float64
				for i := range wa {
					wa[i] = float64(i) / 3
				}
				ga = wa
				ref.sums(x[:n], dy[:n], yr, 0.25, &wa)
				im.sums(x[:n], dy[:n], yr, 0.25, &ga)
				for i := range wa {
					if math.Float64bits(wa[i]) != math.Float64bits(ga[i]) {
						t.Fatalf("%s sums n=%d relu=%v: lane %d = %v, want %v", im.name, n, relu, i, ga[i], wa[i])
					}
				}
				ref.dx(x[:n], dy[:n], yr, want, 0.25, 1.5, -0.5, 2, 0.75)
				im.dx(x[:n], dy[:n], yr, got, 0.25, 1.5, -0.5, 2, 0.75)
				if i := sameBits(got, want); i >= 0 {
					t.Fatalf("%s dx n=%d relu=%v: differs at %d: %v, want %v", im.name, n, relu, i, got[i], want[i])
				}
			}
		}
	}
}

// TestFMA32 checks fma32 against the exact x*a + b rounded once to
// float32 by math/big, on random operands and on sums built to fall
// halfway between two float32s after rounding to float64.
func TestFMA32(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	exact := func(x, a, b float32) float32 {
		p := new(big.Float).SetPrec(200).SetFloat64(float64(x))
		p.Mul(p, new(big.Float).SetFloat64(float64(a)))
		p.Add(p, new(big.Float).SetFloat64(float64(b)))
		f, _ := p.Float32()
		return f
	}
	check := func(x, a, b float32) {
		if got, want := fma32(x, a, b), exact(x, a, b); math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("fma32(%v, %v, %v) = %v, want %v", x, a, b, got, want)
		}
	}
	for range 200000 {
		x, a, b := float32(rng.NormFloat64()), float32(rng.NormFloat64()), float32(rng.NormFloat64())
		check(x, a, b)
		check(x*1e-20, a*1e-19, b*1e-39) // subnormal results
	}
	// b = 1 and x*a = (1+2^-12)(1-2^-12+2^-24)·2^-24 = 2^-24 + 2^-60: the
	// float64 sum rounds to 1 + 2^-24, halfway between two float32s, and
	// float32 of that rounds to even (1), but the exact sum lies above it.
	x, a := float32(1+0x1p-12), float32(0x1p-24*(1-0x1p-12+0x1p-24))
	if float32(float64(x)*float64(a)+1) == exact(x, a, 1) {
		t.Fatal("the double-rounding case does not double-round")
	}
	check(x, a, 1)
	check(-x, a, -1)
	check(x, -a, -1)
	check(float32(1+0x1p-23), 0x1p-24, 1) // a tie that stays one in float64
	check(0x1p127, 4, 0)                  // overflows to +Inf
	inf := float32(math.Inf(1))
	if v := fma32(float32(math.NaN()), 1, 1); v == v {
		t.Errorf("fma32(NaN, 1, 1) = %v, want NaN", v)
	}
	if v := fma32(inf, 1, -inf); v == v {
		t.Errorf("fma32(+Inf, 1, -Inf) = %v, want NaN", v)
	}
	if v := fma32(inf, 2, 1); v != inf {
		t.Errorf("fma32(+Inf, 2, 1) = %v, want +Inf", v)
	}
}

// guardedSpecials returns n normal deviates, about one in five replaced by
// NaN, ±0, ±inf, a ±subnormal or ±1, followed by guardLen guards.
func guardedSpecials(rng *rand.Rand, n int) []float32 {
	special := []float32{float32(math.NaN()), 0, float32(math.Copysign(0, -1)), float32(math.Inf(1)),
		float32(math.Inf(-1)), 1e-40, -1e-40, 1, -1}
	s := guarded(n)
	for i := range n {
		s[i] = float32(rng.NormFloat64())
		if rng.Intn(5) == 0 {
			s[i] = special[rng.Intn(len(special))]
		}
	}
	return s
}

// guarded returns n values followed by guardLen guards.
func guarded(n int) []float32 {
	s := make([]float32, n+guardLen)
	for i := range s {
		s[i] = guard
	}
	return s
}
