package kernels

import "math"

// fma32 is x*a + b rounded once to float32, as VFMADD*PS computes it.
//
// The product of two float32s is exact in float64, so r = p + b in
// float64 is the sum rounded once; rounding r again to float32 gives the
// correctly rounded result unless r lies exactly halfway between two
// float32s while p + b itself does not (a double rounding), which
// fma32Slow settles with the rounding error of r.
func fma32(x, a, b float32) float32 {
	p := float64(x) * float64(a)
	r := p + float64(b)
	if bits := math.Float64bits(r); bits&(1<<29-1) != 1<<28 && math.Abs(r) >= 0x1p-126 {
		return float32(r) // not halfway between two normal float32s
	}
	return fma32Slow(p, float64(b), r)
}

// fma32Slow rounds p + b to float32, given r = p + b rounded to float64.
func fma32Slow(p, b, r float64) float32 {
	f := float32(r)
	if float64(f) == r || r != r || math.IsInf(float64(f), 0) {
		return f
	}
	g := math.Nextafter32(f, float32(math.Inf(1)))
	if float64(f) > r {
		g = math.Nextafter32(f, float32(math.Inf(-1)))
	}
	if r != (float64(f)+float64(g))/2 {
		return f // not a tie: one rounding
	}
	// Knuth's TwoSum: e = (p + b) - r exactly.
	bb := r - p
	e := (p - (r - bb)) + (b - bb)
	if e == 0 {
		return f // a true tie, rounded to even as float32(r) did
	}
	if (e > 0) == (float64(g) > r) {
		return g
	}
	return f
}
