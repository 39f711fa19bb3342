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
	ReLU     bool    // clamp the result at (the zero point of) zero

	// The per-column terms RequantizeU8 uses, set by Prepare.
	prep *requantTerms
}

// requantTerms are RequantizeU8's per-column terms: off[j] = ZeroA·ColSum[j]
// (int32, wrapping), bq[j] = Bias[j]/Scale[j] and mult[j] =
// Scale[j]/OutScale, all in float32.
type requantTerms struct {
	off      []int32
	bq, mult []float32
}

// Prepare computes the per-column terms of RequantizeU8 once, for r's
// current fields; call it again after changing them. A prepared Requant
// is safe for concurrent RequantizeU8 calls; an unprepared one computes
// the terms on each call.
func (r *Requant) Prepare() {
	r.prep = r.terms()
}

func (r *Requant) terms() *requantTerms {
	n := len(r.Scale)
	t := &requantTerms{off: make([]int32, n), bq: make([]float32, n), mult: make([]float32, n)}
	for j := range n {
		t.off[j] = r.ZeroA * r.colSum(j)
		t.bq[j] = r.bias(j) / r.Scale[j]
		t.mult[j] = r.Scale[j] / r.OutScale
	}
	return t
}

func (r *Requant) colSum(j int) int32 {
	if r.ZeroA == 0 {
		return 0
	}
	return r.ColSum[j]
}

// acc is C's sum minus A's zero point times B's column sum (int32,
// wrapping): Σ_p (A[i,p] − ZeroA) · B[p,j].
func (r *Requant) acc(v int32, j int) int32 {
	if r.ZeroA != 0 {
		v -= r.ZeroA * r.ColSum[j]
	}
	return v
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
//	dst[i*ldd+j] = clamp(y, ReLU ? ZeroOut : 0, 255)
//
// Ties round to even, as lrintf does in fbgemm.
func RequantizeU8(dst []uint8, ldd int, c []int32, ldc, m, n int, r *Requant) {
	t := r.prep
	if t == nil {
		t = r.terms()
	}
	lo := 0.0
	if r.ReLU {
		lo = float64(max(r.ZeroOut, 0))
	}
	for i := 0; i < m; i++ {
		src, out := c[i*ldc:i*ldc+n], dst[i*ldd:i*ldd+n]
		for j, v := range src {
			x := float32(v-t.off[j]) + t.bq[j]
			y := math.RoundToEven(float64(x*t.mult[j])) + float64(r.ZeroOut)
			out[j] = uint8(min(max(y, lo), 255))
		}
	}
}

// DequantizeF32 writes the m×n sums of c (row stride ldc) as float32 into
// dst (row stride ldd):
//
//	y := float32(float32(acc) · Scale[j]) + Bias[j]   (acc as in RequantizeU8)
//	dst[i*ldd+j] = ReLU ? max(0, y) : y
//
// OutScale and ZeroOut are not used.
func DequantizeF32(dst []float32, ldd int, c []int32, ldc, m, n int, r *Requant) {
	for j := 0; j < n; j++ {
		b := r.bias(j)
		for i := 0; i < m; i++ {
			y := float32(float32(r.acc(c[i*ldc+j], j))*r.Scale[j]) + b
			if r.ReLU && y < 0 {
				y = 0
			}
			dst[i*ldd+j] = y
		}
	}
}
