package kernels

// kernel3x4 computes, for r < 3 and c < 4,
//
//	acc[r*4+c] = sum over p < kc of a[p*3+r] * b[p*4+c]
//
// from a packed A strip and a packed B strip, with the twelve sums held in
// registers.
func kernel3x4(kc int, a, b []float32, acc *[gemmMR * gemmNR]float32) {
	var c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23 float32
	a = a[:kc*3]
	b = b[:kc*4]
	for len(a) >= 3 && len(b) >= 4 {
		a0, a1, a2 := a[0], a[1], a[2]
		b0, b1, b2, b3 := b[0], b[1], b[2], b[3]
		c00, c01, c02, c03 = c00+a0*b0, c01+a0*b1, c02+a0*b2, c03+a0*b3
		c10, c11, c12, c13 = c10+a1*b0, c11+a1*b1, c12+a1*b2, c13+a1*b3
		c20, c21, c22, c23 = c20+a2*b0, c21+a2*b1, c22+a2*b2, c23+a2*b3
		a = a[3:]
		b = b[4:]
	}
	acc[0], acc[1], acc[2], acc[3] = c00, c01, c02, c03
	acc[4], acc[5], acc[6], acc[7] = c10, c11, c12, c13
	acc[8], acc[9], acc[10], acc[11] = c20, c21, c22, c23
}
