package kernels

import "math"

// ReLUBackward computes, for i < len(dy),
//
//	dx[i] = dy[i] if y[i] > 0, else 0
//
// the gradient of ReLU (or of a ReLU fused into a GEMM epilogue) from its
// output y, as PyTorch's threshold_backward takes it. dx may alias dy.
//
// The zeroing is a bit mask (all ones where y[i] > 0), which keeps the
// loop free of branches: about half of a ReLU's outputs are zero, in no
// pattern a branch predictor could follow. dy[i] passes through bit for
// bit (NaN and -0 included) and the zero is +0, as with the branch.
func ReLUBackward(y, dy, dx []float32) {
	y, dx = y[:len(dy)], dx[:len(dy)]
	for i, d := range dy {
		var m uint32
		if y[i] > 0 {
			m = math.MaxUint32
		}
		dx[i] = math.Float32frombits(math.Float32bits(d) & m)
	}
}

// SoftmaxBackward computes, for each of the rows rows of y, dy and dx
// (rows, cols), the gradient of Softmax from its output y:
//
//	dx[r, j] = y[r, j] · (dy[r, j] - Σ_j' dy[r, j'] · y[r, j'])
//
// the sum taken in float64. dx may alias dy.
func SoftmaxBackward(rows, cols int, y, dy, dx []float32) {
	for r := 0; r < rows; r++ {
		yr, dyr, dxr := y[r*cols:(r+1)*cols], dy[r*cols:(r+1)*cols], dx[r*cols:(r+1)*cols]
		var s float64
		for j, v := range yr {
			s += float64(v) * float64(dyr[j])
		}
		for j, v := range yr {
			dxr[j] = float32(float64(v) * (float64(dyr[j]) - s))
		}
	}
}

// Mul computes y[i] = a[i] * b[i] for i < len(a); y may alias a or b.
// Dropout is Mul by its noise (0 or 1/(1-p)), forward and backward.
func Mul(a, b, y []float32) {
	b, y = b[:len(a)], y[:len(a)]
	for i, v := range a {
		y[i] = v * b[i]
	}
}
