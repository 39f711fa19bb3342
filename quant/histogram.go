package quant

import "math"

// HistBins is the number of bins the first non-zero batch spreads its
// largest |x| over in the histogram of Percentile and Entropy (2048, as
// TensorRT and ONNX Runtime).
const HistBins = 2048

// absHist is a histogram of |x| over bins of equal width w: bin k counts
// the finite values with k*w <= |x| < (k+1)*w. The first batch with a
// non-zero value fixes w = max|x| / HistBins (zeros seen before go to
// bin 0); a larger value later adds bins, and when more than 2*HistBins
// would be needed, adjacent bins merge in pairs and w doubles, which is
// exact since every edge stays a multiple of w. So the counts never
// depend on how the data was split into batches beyond the first.
type absHist struct {
	bounds
	w      float64
	counts []int64
	zeros  int64 // values seen while w is 0
}

// observe adds x to the histogram and to the bounds.
func (h *absHist) observe(x []float32) {
	h.bounds.observe(x)
	amax, finite := float64(0), int64(0)
	for _, v := range x {
		if a := math.Abs(float64(v)); !math.IsNaN(a) && !math.IsInf(a, 0) {
			amax, finite = max(amax, a), finite+1
		}
	}
	if h.w == 0 {
		if amax == 0 {
			h.zeros += finite
			return
		}
		h.w, h.counts = amax/HistBins, []int64{h.zeros}
	}
	h.grow(int(amax / h.w))
	for _, v := range x {
		if a := math.Abs(float64(v)); !math.IsNaN(a) && !math.IsInf(a, 0) {
			h.counts[int(a/h.w)]++
		}
	}
}

// grow makes room for bin k, merging bins in pairs while k would pass
// 2*HistBins.
func (h *absHist) grow(k int) {
	for k >= 2*HistBins {
		merged := make([]int64, (len(h.counts)+1)/2)
		for i, c := range h.counts {
			merged[i/2] += c
		}
		h.counts, h.w, k = merged, 2*h.w, k/2
	}
	for len(h.counts) <= k {
		h.counts = append(h.counts, 0)
	}
}

// histObserver is what Percentile and Entropy share: the histogram of
// |x| they observe and the range of the quantizer they return.
type histObserver struct {
	Range Range // the range of the quantizer Params returns
	h     absHist
}

// Observe adds x to the histogram of |x| and to the observed range.
func (o *histObserver) Observe(x []float32) { o.h.observe(x) }

// params returns AffineParams of the observed range clipped to [-t, t],
// or ErrNoData or ErrNonFinite.
func (o *histObserver) params(t float64) (Params, error) {
	if err := o.h.err(); err != nil {
		return Params{}, err
	}
	lo := float32(max(float64(o.h.lo), -t))
	hi := float32(min(float64(o.h.hi), t))
	return AffineParams(lo, hi, o.Range), nil
}
