package quant

import "math"

// search is _non_linear_param_search: it narrows [start, end] from the
// side holding more bins below the next 1e-5 quantile step, as long as
// the L2 quantization error (quantError) does not grow, and returns
// min + bin_width*start, min + bin_width*(end+1) in float32.
func (h *Histogram) search() (float32, float32) {
	bw := (h.hi - h.lo) / torchBins
	csum := make([]float32, torchBins) // torch.cumsum: float64 sum, float32 values
	var acc float64
	for i, c := range h.hist {
		acc += float64(c)
		csum[i] = float32(acc)
	}
	total := float64(float32(acc))
	alpha, beta := 0.0, 1.0
	start, end := 0, torchBins-1
	normMin := math.Inf(1)
	for alpha < beta {
		nextAlpha, nextBeta := alpha+1e-5, beta-1e-5
		l, r := start, end
		for l < end && csum[l] < float32(nextAlpha*total) {
			l++
		}
		for r > start && csum[r] > float32(nextBeta*total) {
			r--
		}
		nextStart, nextEnd := start, end
		if l-start > end-r {
			nextStart, alpha = l, nextAlpha
		} else {
			nextEnd, beta = r, nextBeta
		}
		if nextStart == start && nextEnd == end {
			continue
		}
		norm := h.quantError(nextStart, nextEnd)
		if norm > normMin {
			break
		}
		normMin, start, end = norm, nextStart, nextEnd
	}
	return h.lo + float32(bw*float32(start)), h.lo + float32(bw*float32(end+1))
}

// quantError is _compute_quantization_error: the L2 error of quantizing
// the histogram into 256 levels over bins start..end, each source bin's
// density spread uniformly and integrated against the levels it meets,
// in float32 as PyTorch (the final sum in float64).
func (h *Histogram) quantError(start, end int) float64 {
	binWidth := (float64(h.hi) - float64(h.lo)) / torchBins
	dstWidth := binWidth * float64(end-start+1) / torchDstBins
	if dstWidth == 0 {
		return 0
	}
	bw, dw, half := float32(binWidth), float32(dstWidth), float32(dstWidth/2)
	whole := float32(-dstWidth / 2)
	var sum float64
	for i, c := range h.hist {
		begin := float32(i-start) * bw
		srcEnd := begin + bw
		dstBegin := min(max(floorDiv(begin, dw), 0), torchDstBins-1)
		dstEnd := min(max(floorDiv(srcEnd, dw), 0), torchDstBins-1)
		density := c / bw
		norm := l2Norm(begin-float32((dstBegin+0.5)*dw), half, density)
		norm += float32((dstEnd - dstBegin - 1) * l2Norm(whole, half, density))
		norm += l2Norm(whole, srcEnd-(float32(dstEnd*dw)+half), density)
		sum += float64(norm)
	}
	return sum
}

// l2Norm is _get_norm: density * (end³ - begin³) / 3 in float32.
func l2Norm(begin, end, density float32) float32 {
	return density * ((float32(end*end*end) - float32(begin*begin*begin)) / 3)
}

// floorDiv is torch.div(a, b, rounding_mode="floor") on float32
// (div_floor_floating in ATen): (a - fmod(a, b)) / b, corrected to the
// floor.
func floorDiv(a, b float32) float32 {
	if b == 0 {
		return a / b
	}
	mod := float32(math.Mod(float64(a), float64(b)))
	div := (a - mod) / b
	if mod != 0 && (b < 0) != (mod < 0) {
		div--
	}
	if div == 0 {
		return float32(math.Copysign(0, float64(a/b)))
	}
	floor := float32(math.Floor(float64(div)))
	if div-floor > 0.5 {
		floor++
	}
	return floor
}
