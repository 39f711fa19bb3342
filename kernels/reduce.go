package kernels

// AddColSums adds to sums[j], for j < cols, the sum of column j of x
// (rows, cols),
//
//	sums[j] += Σ_{i < rows} x[i*cols+j]
//
// the sum taken in float64 and rounded once: the bias gradient of a fully
// connected layer.
func AddColSums(rows, cols int, x, sums []float32) {
	acc := make([]float64, cols)
	for i := 0; i < rows; i++ {
		for j, v := range x[i*cols : (i+1)*cols] {
			acc[j] += float64(v)
		}
	}
	for j, s := range acc {
		sums[j] += float32(s)
	}
}
