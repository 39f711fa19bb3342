package quant

import (
	"fmt"
	"math"
)

// QuantizePerChannel quantizes the weight w, laid out (outC, ...) as
// torchvision's, per output channel to int8 as fbgemm's default weight
// quantizer does in PyTorch 1.13: PerChannelMinMaxObserver(ch_axis=0,
// dtype=qint8, qscheme=per_channel_symmetric) picks
// scales[c] = SymmetricScale(min w[c], max w[c], Int8) and
// torch.quantize_per_channel(w, scales, 0, 0, qint8) gives
// q = clamp(nearbyint(w * (1/scales[c])), -128, 127). An all-zero
// channel gets scale Eps. len(w) must be a positive multiple of outC and
// w finite.
func QuantizePerChannel(w []float32, outC int) (q []int8, scales []float32, err error) {
	if outC <= 0 || len(w) == 0 || len(w)%outC != 0 {
		return nil, nil, fmt.Errorf("quant: %d weights do not split into %d output channels", len(w), outC)
	}
	n := len(w) / outC
	q = make([]int8, len(w))
	scales = make([]float32, outC)
	for c := range outC {
		row := w[c*n : (c+1)*n]
		lo, hi := row[0], row[0]
		for _, v := range row {
			lo, hi = min(lo, v), max(hi, v)
		}
		scales[c] = SymmetricScale(lo, hi, Int8)
		if math.IsNaN(float64(scales[c])) || math.IsInf(float64(scales[c]), 0) {
			return nil, nil, fmt.Errorf("quant: output channel %d holds a NaN or an infinity", c)
		}
		QuantizeSlice(q[c*n:(c+1)*n], row, Params{Scale: scales[c], Range: Int8})
	}
	return q, scales, nil
}

// DequantizePerChannel returns w[i] = q[i] * scales[c] for the channel c
// of element i, the inverse of QuantizePerChannel up to rounding.
// len(q) must be a multiple of len(scales).
func DequantizePerChannel(q []int8, scales []float32) []float32 {
	w := make([]float32, len(q))
	n := len(q) / len(scales)
	for c, s := range scales {
		DequantizeSlice(w[c*n:(c+1)*n], q[c*n:(c+1)*n], Params{Scale: s, Range: Int8})
	}
	return w
}
