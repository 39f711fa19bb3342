// Package numcmp holds the error measures the tests of nn and train compare
// float32 results with, against a reference (PyTorch's numbers or a naive
// loop). kernels keeps its own copy: it imports nothing of the module.
package numcmp

import "math"

// RelMaxDiff is max |got - want| over max |want| (the plain max difference
// when want is all zero), computed in float64; a NaN difference counts as
// an infinite error. got must hold at least len(want) values.
func RelMaxDiff(got, want []float32) float64 {
	var d, m float64
	for i := range want {
		v := math.Abs(float64(got[i]) - float64(want[i]))
		if v > d || v != v {
			d = v
		}
		m = max(m, math.Abs(float64(want[i])))
	}
	if d != d {
		return math.Inf(1)
	}
	if m == 0 {
		return d
	}
	return d / m
}

// MaxAbsDiff is max |a - b| over the values of a, computed in float64; a
// NaN difference makes it NaN. b must hold at least len(a) values.
func MaxAbsDiff(a, b []float32) float64 {
	var d float64
	for i := range a {
		v := math.Abs(float64(a[i] - b[i]))
		if v > d || v != v {
			d = v
		}
	}
	return d
}
