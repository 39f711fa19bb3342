package quant

import "math"

// The constants of PyTorch 1.13's HistogramObserver defaults.
const (
	torchBins     = 2048 // bins
	torchUpsample = 128  // upsample_rate
	torchDstBins  = 256  // dst_nbins, 2^8 for quint8
)

// Histogram is PyTorch 1.13's HistogramObserver (quint8,
// per_tensor_affine), the activation observer of
// get_default_qconfig("fbgemm") (with Uint8Reduced, its reduce_range):
// it keeps a 2048-bin histogram over its running [min, max] and Params
// searches that histogram for the range of least L2 quantization error
// (_non_linear_param_search, from caffe2's NormMinimization), then
// returns AffineParams of it. PyTorch's float32 arithmetic is repeated
// step by step, including its quirks: each batch is binned by torch.histc
// over [int(min), int(max)] (truncated to integers, so values beyond are
// dropped; when both truncate to the same integer, the batch's own range),
// a batch seen while min == max restarts the histogram, and a wider batch
// re-bins the old histogram by upsampling it 128 times into the widened
// range (_combine_histograms). The one approximation: sums PyTorch does
// in float32 (the histogram's total and the error of each candidate)
// are done in float64, which changes a result only on a near tie.
type Histogram struct {
	Range     Range
	hist      []float32
	lo, hi    float32
	seen      bool
	nonFinite bool
}

// NewHistogram returns a Histogram observer for r: Uint8Reduced as
// fbgemm's default qconfig, Uint8 as HistogramObserver's own default.
func NewHistogram(r Range) *Histogram { return &Histogram{Range: r} }

// Observe adds x to the histogram (HistogramObserver.forward).
func (h *Histogram) Observe(x []float32) {
	if len(x) == 0 || h.nonFinite {
		return
	}
	xlo, xhi := x[0], x[0]
	for _, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			h.nonFinite = true
			return
		}
		xlo, xhi = min(xlo, v), max(xhi, v)
	}
	if !h.seen || h.lo == h.hi {
		h.seen, h.lo, h.hi = true, xlo, xhi
		h.hist = histc(x, truncate(xlo), truncate(xhi))
		return
	}
	cmin, cmax := min(xlo, h.lo), max(xhi, h.hi)
	// _adjust_min_max: widen cmax so the new range is a whole number of
	// the old range's bins divided by the upsample rate.
	hbw := (h.hi - h.lo) / float32(torchBins*torchUpsample)
	span := float32(torchBins) * hbw
	down := int(math.Ceil(float64((cmax - cmin) / span)))
	cmax += float32(float32(down)*span) - (cmax - cmin)
	start := int(math.RoundToEven(float64((h.lo - cmin) / hbw)))
	nh := histc(x, truncate(cmin), truncate(cmax))
	if cmin == h.lo && cmax == h.hi {
		for i, c := range h.hist {
			nh[i] += c
		}
	} else {
		combine(nh, h.hist, down, start)
	}
	h.hist, h.lo, h.hi = nh, cmin, cmax
}

// truncate is Python's int() of a float32 tensor, as a float64.
func truncate(v float32) float64 { return math.Trunc(float64(v)) }

// histc is torch.histc(x, 2048, min=lo, max=hi) on float32: equal bounds
// take x's range, still equal ones widen by 1 each way; values outside
// are dropped, and a value goes to bin int((v - lo) * 2048 / (hi - lo)),
// the top edge to the last bin (HistogramKernel.cpp,
// LINEAR_INTERPOLATION).
func histc(x []float32, lo, hi float64) []float32 {
	if lo == hi {
		l, r := x[0], x[0]
		for _, v := range x {
			l, r = min(l, v), max(r, v)
		}
		lo, hi = float64(l), float64(r)
	}
	if lo == hi {
		lo, hi = lo-1, hi+1
	}
	left, right := float32(lo), float32(hi)
	h := make([]float32, torchBins)
	for _, v := range x {
		if !(v >= left && v <= right) {
			continue
		}
		pos := int((v - left) * torchBins / (right - left))
		h[min(pos, torchBins-1)]++
	}
	return h
}

// combine adds to nh the old histogram re-binned into the widened range,
// as _combine_histograms: old bin j spread over cells start + j*128 ...
// start + j*128 + 127 of a grid of 2048*down cells, whose float64 running
// sum (torch.cumsum in double) is read every down cells; new bin k gets
// (sum through bin k - float32(sum through bin k-1)) / 128.
func combine(nh, old []float32, down, start int) {
	var acc float64
	var prev float32
	for k := range torchBins {
		lo, hi := max(k*down, start), min((k+1)*down, start+torchBins*torchUpsample)
		for cell := lo; cell < hi; cell++ {
			if c := old[(cell-start)/torchUpsample]; c != 0 {
				acc += float64(c)
			}
		}
		nh[k] += float32((acc - float64(prev)) / torchUpsample)
		prev = float32(acc)
	}
}

// Params returns AffineParams of the range the search picks, or ErrNoData
// or ErrNonFinite.
func (h *Histogram) Params() (Params, error) {
	switch {
	case h.nonFinite:
		return Params{}, ErrNonFinite
	case !h.seen:
		return Params{}, ErrNoData
	}
	lo, hi := h.search()
	return AffineParams(lo, hi, h.Range), nil
}
