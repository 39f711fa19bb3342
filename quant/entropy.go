package quant

import "math"

// EntropyLevels is the number of quantization levels Entropy compares
// the reference distribution with (128, as TensorRT's int8).
const EntropyLevels = 128

// Entropy clips the observed range where the KL divergence between the
// distribution of |x| and its quantized version is smallest, the
// calibration of TensorRT (Szymon Migacz, "8-bit Inference with
// TensorRT", GTC 2017) and ONNX Runtime's EntropyCalibrater
// (onnxruntime/quantization/calibrate.py). On the histogram of |x| (see
// HistBins; n bins of width w), for each candidate i from EntropyLevels
// to n:
//
//	P = bins[0..i-1], with the outliers sum(bins[i..n-1]) added to P[i-1]
//	Q = bins[0..i-1] merged into EntropyLevels groups of consecutive bins
//	    (group g holds bins g*i/L up to (g+1)*i/L, integer division), each
//	    group's sum spread evenly over the bins of the group where P > 0
//	KL(i) = sum over P[k] > 0 of p[k] * ln(p[k] / q[k]), with p and q the
//	    normalized P and Q (+Inf when some q[k] is 0 where p[k] > 0)
//
// and t = i*w for the first i of least KL (ONNX Runtime's edge; the
// slides write (i+0.5)*w). Params returns AffineParams(max(min, -t),
// min(max, t), Range) as Percentile does. With n < EntropyLevels there is
// nothing to clip and t covers all bins.
type Entropy struct {
	Range Range
	h     absHist
}

// NewEntropy returns an Entropy observer for the range r.
func NewEntropy(r Range) *Entropy { return &Entropy{Range: r} }

// Observe adds x to the histogram.
func (e *Entropy) Observe(x []float32) { e.h.observe(x) }

// Params returns the quantizer of the clipped range, or ErrNoData or
// ErrNonFinite.
func (e *Entropy) Params() (Params, error) {
	return e.h.clipped(e.Threshold(), e.Range)
}

// Threshold is t, the clipping point of |x| (0 before any non-zero data).
func (e *Entropy) Threshold() float64 {
	bins := e.h.counts
	best, bestKL := len(bins), math.Inf(1)
	p, q := make([]float64, len(bins)), make([]float64, len(bins))
	for i := EntropyLevels; i <= len(bins); i++ {
		if kl := klDivergence(bins, i, p[:i], q[:i]); kl < bestKL {
			best, bestKL = i, kl
		}
	}
	return float64(best) * e.h.w
}

// klDivergence is KL(i) of Entropy's doc for the histogram bins, using p
// and q (length i) as scratch.
func klDivergence(bins []int64, i int, p, q []float64) float64 {
	var outliers, total float64
	for k, c := range bins {
		if k < i {
			p[k] = float64(c)
		} else {
			outliers += float64(c)
		}
		total += float64(c)
	}
	p[i-1] += outliers
	for g := range EntropyLevels {
		lo, hi := g*i/EntropyLevels, (g+1)*i/EntropyLevels
		sum, nonzero := 0.0, 0
		for k := lo; k < hi; k++ {
			sum += float64(bins[k])
			if p[k] > 0 {
				nonzero++
			}
		}
		for k := lo; k < hi; k++ {
			q[k] = 0
			if p[k] > 0 {
				q[k] = sum / float64(nonzero)
			}
		}
	}
	qTotal := total - outliers
	kl := 0.0
	for k := range p {
		if p[k] == 0 {
			continue
		}
		if q[k] == 0 {
			return math.Inf(1)
		}
		pk, qk := p[k]/total, q[k]/qTotal
		kl += pk * math.Log(pk/qk)
	}
	return kl
}
