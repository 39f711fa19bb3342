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
// HistBins; n bins of width w), with the first bin's count replaced by
// the second's (the zeros of a ReLU; NVIDIA's pytorch-quantization
// histogram calibrator does the same), for each candidate i from
// EntropyLevels to n:
//
//	P = bins[0..i-1], with the outliers sum(bins[i..n-1]) added to P[i-1]
//	Q = bins[0..i-1] merged into EntropyLevels groups of consecutive bins
//	    (group g holds bins g*i/L up to (g+1)*i/L, integer division), each
//	    group's sum spread evenly over the bins of the group where P > 0
//	KL(i) = sum over k of p[k] * ln(p[k] / q[k]), with p and q the
//	    normalized smoothed P and Q: each empty bin gets 1e-4, taken
//	    evenly from the others (see smooth; +Inf when that fails)
//
// and t = i*w for the first i of least KL (ONNX Runtime's edge; the
// slides write (i+0.5)*w). So t is never below EntropyLevels*w, 1/16 to
// 1/32 of max|x|. Params returns AffineParams(max(min, -t),
// min(max, t), Range) as Percentile does. With n < EntropyLevels there is
// nothing to clip and t covers all bins.
type Entropy struct {
	histObserver
}

// NewEntropy returns an Entropy observer for the range r.
func NewEntropy(r Range) *Entropy { return &Entropy{histObserver{Range: r}} }

// Params returns the quantizer of the clipped range, or ErrNoData or
// ErrNonFinite.
func (e *Entropy) Params() (Params, error) { return e.params(e.Threshold()) }

// Threshold is t, the clipping point of |x| (0 before any non-zero data).
func (e *Entropy) Threshold() float64 {
	bins := e.h.counts
	if len(bins) > 1 {
		// The first bin holds the exact zeros a ReLU makes, often most of
		// the data: as NVIDIA's pytorch-quantization calibrator does, it
		// counts as its neighbour, or KL prefers thresholds that spend the
		// levels on the smallest values.
		bins = append([]int64{bins[1]}, bins[1:]...)
	}
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
	var outliers float64
	for k, c := range bins {
		if k < i {
			p[k] = float64(c)
		} else {
			outliers += float64(c)
		}
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
	if !smooth(p) || !smooth(q) {
		return math.Inf(1)
	}
	var pSum, qSum, kl float64
	for k := range p {
		pSum, qSum = pSum+p[k], qSum+q[k]
	}
	for k := range p {
		pk, qk := p[k]/pSum, q[k]/qSum
		kl += pk * math.Log(pk/qk)
	}
	return kl
}

// smoothEps is the weight smooth gives an empty bin (MXNet's and ONNX
// Runtime's smooth_distribution eps).
const smoothEps = 1e-4

// smooth gives every empty bin of the counts d the weight smoothEps,
// taking it evenly from the others (smooth_distribution in MXNet's
// contrib/quantization.py and ONNX Runtime's calibrate.py). It reports
// false, as they do, when d is empty or a bin would drop to 0 or less.
func smooth(d []float64) bool {
	zeros := 0
	for _, v := range d {
		if v == 0 {
			zeros++
		}
	}
	if zeros == len(d) {
		return false
	}
	take := smoothEps * float64(zeros) / float64(len(d)-zeros)
	for k, v := range d {
		if v == 0 {
			d[k] = smoothEps
		} else if d[k] = v - take; d[k] <= 0 {
			return false
		}
	}
	return true
}
