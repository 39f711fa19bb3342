package quant

import "fmt"

// Percentile clips the observed range at the P-th percentile of |x|:
// with the histogram of |x| (see HistBins; bin k holds k*w <= |x| <
// (k+1)*w), t is the upper edge (k+1)*w of the first bin k whose
// cumulative count reaches P/100 of all values, and Params returns
// AffineParams(max(min, -t), min(max, t), Range). So post-ReLU data
// (min 0) gets [0, t] and data of both signs [-t, t] or less; with P =
// 100 the range is MinMax's. This is ONNX Runtime's PercentileCalibrater
// with symmetric=True (onnxruntime/quantization/calibrate.py,
// HistogramCollector.compute_percentile), where the threshold is the
// edge searchsorted(cdf, P/100) picks.
type Percentile struct {
	P float64 // the percentile, in (0, 100]; 99.99 is the usual choice
	histObserver
}

// NewPercentile returns a Percentile observer for the p-th percentile
// and the range r.
func NewPercentile(p float64, r Range) *Percentile {
	return &Percentile{P: p, histObserver: histObserver{Range: r}}
}

// Params returns the quantizer of the clipped range, or ErrNoData or
// ErrNonFinite, or an error for a P outside (0, 100].
func (p *Percentile) Params() (Params, error) {
	if !(p.P > 0 && p.P <= 100) {
		return Params{}, fmt.Errorf("quant: percentile %v outside (0, 100]", p.P)
	}
	return p.params(p.Threshold())
}

// Threshold is t, the clipping point of |x| (0 before any non-zero data).
func (p *Percentile) Threshold() float64 {
	var total int64
	for _, c := range p.h.counts {
		total += c
	}
	target, cum := p.P/100*float64(total), int64(0)
	for k, c := range p.h.counts {
		if cum += c; float64(cum) >= target {
			return float64(k+1) * p.h.w
		}
	}
	return float64(len(p.h.counts)) * p.h.w
}
