package kernels

import "math"

// Requant holds the parameters that map the int32 sums of an int8 GEMM
// (GemmI8, C = A·B with A the uint8 activations, B the int8 weights, of
// zero point 0) back to real numbers, per column j (output channel), as
// fbgemm's requantization (PyTorch's quantized CPU backend) does.
type Requant struct {
	ZeroA  int32     // zero point of A
	ColSum []int32   // Σ_p B[p, j] (PackedI8.ColSum); may be nil when ZeroA is 0
	Scale  []float32 // scale_A · scale_W[j], per column
	Bias   []float32 // nil, or the real bias per column

	OutScale float32 // scale of RequantizeU8's output
	ZeroOut  int32   // zero point of RequantizeU8's output
	OutMax   int32   // largest value of RequantizeU8's output (its QMax); 0 means 255
	ReLU     bool    // clamp the result at (the zero point of) zero

	// The per-column terms RequantizeU8 uses, set by Prepare.
	prep *requantTerms
}

// requantTerms are the per-column terms of RequantizeU8, off[j] =
// ZeroA·ColSum[j] (int32, wrapping), bq[j] = Bias[j]/Scale[j] and mult[j] =
// Scale[j]/OutScale, all in float32, and of DequantizeF32, off, scale[j] =
// Scale[j] and bias[j] = Bias[j] (0 without Bias). finite reports whether
// every bq and mult is finite (then no step of RequantizeU8 is NaN).
type requantTerms struct {
	off                   []int32
	bq, mult, scale, bias []float32
	finite                bool
}

// Prepare computes the per-column terms of RequantizeU8 and DequantizeF32
// once, for r's current fields; call it again after changing them. A
// prepared Requant is safe for concurrent RequantizeU8 and DequantizeF32
// calls; an unprepared one computes the terms on each call.
func (r *Requant) Prepare() {
	r.prep = r.terms()
}

// prepared returns r's prepared terms, or computes them.
func (r *Requant) prepared() *requantTerms {
	if r.prep != nil {
		return r.prep
	}
	return r.terms()
}

func (r *Requant) terms() *requantTerms {
	n := len(r.Scale)
	t := &requantTerms{off: make([]int32, n), bq: make([]float32, n), mult: make([]float32, n),
		scale: append([]float32(nil), r.Scale...), bias: make([]float32, n), finite: true}
	for j := range n {
		t.off[j] = r.ZeroA * r.colSum(j)
		t.bias[j] = r.bias(j)
		t.bq[j] = t.bias[j] / r.Scale[j]
		t.mult[j] = r.Scale[j] / r.OutScale
		t.finite = t.finite && finite(t.bq[j]) && finite(t.mult[j])
	}
	return t
}

func finite(v float32) bool { return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) }

// from returns the terms of columns j and on.
func (t *requantTerms) from(j int) requantTerms {
	return requantTerms{t.off[j:], t.bq[j:], t.mult[j:], t.scale[j:], t.bias[j:], t.finite}
}

func (r *Requant) colSum(j int) int32 {
	if r.ZeroA == 0 {
		return 0
	}
	return r.ColSum[j]
}

func (r *Requant) bias(j int) float32 {
	if r.Bias == nil {
		return 0
	}
	return r.Bias[j]
}

// RequantizeU8 writes the m×n sums of c (row stride ldc) as uint8 into
// dst (row stride ldd), in float32 arithmetic with one rounding per
// operation (fbgemm's requantize with a float bias):
//
//	x := float32(acc) + Bias[j]/Scale[j]            (acc = c[i*ldc+j] − ZeroA·ColSum[j])
//	y := RoundToEven(x · (Scale[j]/OutScale)) + ZeroOut
//	dst[i*ldd+j] = clamp(y, ReLU ? ZeroOut : 0, OutMax)
//
// Ties round to even, as lrintf does in fbgemm.
func RequantizeU8(dst []uint8, ldd int, c []int32, ldc, m, n int, r *Requant) {
	if m <= 0 || n <= 0 {
		return
	}
	t := r.prepared()
	_, _ = c[(m-1)*ldc+n-1], dst[(m-1)*ldd+n-1]
	_, _, _ = t.off[n-1], t.bq[n-1], t.mult[n-1]
	lo := int32(0)
	if r.ReLU {
		lo = max(r.ZeroOut, 0)
	}
	hi := int32(255)
	if r.OutMax > 0 {
		hi = min(r.OutMax, 255)
	}
	if t.finite && 0 <= r.ZeroOut && r.ZeroOut <= hi {
		q8Variants.Get().requant(dst, ldd, c, ldc, m, n, t, r.ZeroOut, lo, hi)
		return
	}
	requantGo(dst, ldd, c, ldc, m, n, t, r.ZeroOut, lo, hi)
}

// requantGo is RequantizeU8's loop, [lo, hi] the clamp.
func requantGo(dst []uint8, ldd int, c []int32, ldc, m, n int, t *requantTerms, zout, lo, hi int32) {
	off, bq, mult := t.off[:n], t.bq[:n], t.mult[:n]
	for i := 0; i < m; i++ {
		src, out := c[i*ldc:i*ldc+n], dst[i*ldd:i*ldd+n]
		for j, v := range src {
			x := float32(v-off[j]) + bq[j]
			y := math.RoundToEven(float64(x*mult[j])) + float64(zout)
			out[j] = uint8(min(max(y, float64(lo)), float64(hi)))
		}
	}
}

// DequantizeF32 writes the m×n sums of c (row stride ldc) as float32 into
// dst (row stride ldd):
//
//	y := float32(float32(acc) · Scale[j]) + Bias[j]   (acc as in RequantizeU8)
//	dst[i*ldd+j] = ReLU ? max(0, y) : y
//
// where max(0, y) keeps a NaN or -0 y. OutScale and ZeroOut are not used.
func DequantizeF32(dst []float32, ldd int, c []int32, ldc, m, n int, r *Requant) {
	if m <= 0 || n <= 0 {
		return
	}
	t := r.prepared()
	_, _ = c[(m-1)*ldc+n-1], dst[(m-1)*ldd+n-1]
	_, _, _ = t.off[n-1], t.scale[n-1], t.bias[n-1]
	q8Variants.Get().dequant(dst, ldd, c, ldc, m, n, t, r.ReLU)
}

// dequantGo is DequantizeF32's loop.
func dequantGo(dst []float32, ldd int, c []int32, ldc, m, n int, t *requantTerms, relu bool) {
	off, scale, bias := t.off[:n], t.scale[:n], t.bias[:n]
	for i := 0; i < m; i++ {
		src, out := c[i*ldc:i*ldc+n], dst[i*ldd:i*ldd+n]
		for j, v := range src {
			y := float32(float32(v-off[j])*scale[j]) + bias[j]
			if relu && y < 0 {
				y = 0
			}
			out[j] = y
		}
	}
}
