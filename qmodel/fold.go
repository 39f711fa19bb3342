package qmodel

import (
	"math"
	"slices"

	"github.com/alexnet-go/alexnet/nn"
)

// FoldBatchNorm returns the weight and bias of conv with bn (eval mode)
// folded in, as PyTorch's fuse_conv_bn_weights computes them, in float32:
//
//	r  = 1/sqrt(RunningVar + Eps)   (the square root rounded to float32 first, as torch.rsqrt)
//	w' = w · (γ·r)            (per output channel)
//	b' = (b − mean)·r·γ + β
//
// With bn nil it returns copies of conv's weight and bias.
func FoldBatchNorm(conv *nn.Conv2d, bn *nn.BatchNorm2d) (w, b []float32) {
	w = slices.Clone(conv.Weight.Data)
	b = make([]float32, conv.OutC)
	if conv.Bias != nil {
		copy(b, conv.Bias.Data)
	}
	if bn == nil {
		return w, b
	}
	per := len(w) / conv.OutC
	eps := float32(bn.Eps)
	for c := range conv.OutC {
		r := 1 / float32(math.Sqrt(float64(bn.RunningVar.Data[c]+eps))) // torch.rsqrt: sqrtf, then 1/x
		g := bn.Weight.Data[c]
		s := g * r
		for i := c * per; i < (c+1)*per; i++ {
			w[i] *= s
		}
		b[c] = (b[c]-bn.RunningMean.Data[c])*r*g + bn.Bias.Data[c]
	}
	return w, b
}
