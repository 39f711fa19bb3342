package kernels

import "math"

// ReLU computes y[i] = max(0, x[i]) for i < len(x); y may alias x.
func ReLU(x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		if v < 0 {
			v = 0
		}
		y[i] = v
	}
}

// Softmax computes, for each of the rows rows of x and y (rows, cols),
//
//	y[r, j] = exp(x[r, j] - m) / sum over j' of exp(x[r, j'] - m)
//
// with m the row maximum, so no exponent overflows. y may alias x.
func Softmax(rows, cols int, x, y []float32) {
	for r := 0; r < rows; r++ {
		xr := x[r*cols : (r+1)*cols]
		yr := y[r*cols : (r+1)*cols]
		m := float32(math.Inf(-1))
		for _, v := range xr {
			m = max(m, v)
		}
		var s float64
		for j, v := range xr {
			e := math.Exp(float64(v - m))
			yr[j] = float32(e)
			s += e
		}
		inv := 1 / s
		for j := range yr {
			yr[j] = float32(float64(yr[j]) * inv)
		}
	}
}
