// Package quant holds int8 quantization: the parameters of an affine
// quantizer, per-output-channel symmetric int8 weights, the calibration
// observers that choose activation scales, and the quantized-model file.
// It works on plain slices and names (torchvision's, "features.0"), so it
// sits above tensor and weights and below model.
//
// The arithmetic is PyTorch 1.13's (torch.ao.quantization, fbgemm's
// default qconfig), bit for bit:
//
//	q = clamp(zero_point + nearbyint(x * (1/scale)), qmin, qmax)
//	x ≈ (q - zero_point) * scale
//
// in float32, nearbyint rounding half to even (ATen's quantize_val and
// dequantize_val). Weights are quantized per output channel, symmetric,
// to qint8 [-128, 127] with zero point 0 and
//
//	scale[c] = max(max(|min w[c]|, |max w[c]|) / 127.5, eps)
//
// (PerChannelMinMaxObserver(qscheme=per_channel_symmetric, dtype=qint8),
// eps = torch.finfo(float32).eps = 2^-23). Activations use an affine
// quint8 quantizer over [qmin, qmax] = [0, 255], or [0, 127] with
// fbgemm's reduce_range, chosen from a calibration range [lo, hi]:
//
//	lo' = min(lo, 0), hi' = max(hi, 0)
//	scale = max((hi' - lo') / (qmax - qmin), eps)
//	zero_point = clamp(qmin - nearbyint(lo' / scale), qmin, qmax)
//
// (_ObserverBase._calculate_qparams, per_tensor_affine). The observers
// that find [lo, hi] are Histogram (HistogramObserver, fbgemm's default,
// so "as PyTorch"), MinMax (MinMaxObserver), Percentile and Entropy (KL
// divergence, as TensorRT and ONNX Runtime calibrate); see each.
//
// # File format
//
// Save and Load keep a Model as a safetensors file (package weights)
// whose "__metadata__" holds "alexnet.quant": "1" (FormatVersion) and
// which holds, for each quantized layer L (a torchvision module name such
// as "features.0" or "classifier.1"), in layer order:
//
//	L.weight            I8   the weight, shape (outC, ...) as torchvision's
//	L.weight_scale      F32  [outC], the per-channel scales (zero points 0)
//	L.bias              F32  [outC], only when the layer has a bias
//	L.input_scale       F32  [1], the scale of the layer's input activation
//	L.input_zero_point  I32  [1], its zero point
//	L.input_qrange      I32  [2], its (qmin, qmax)
//
// Load refuses, with a *TensorError naming the tensor, a missing tensor,
// one of the wrong dtype or shape, a scale that is NaN, infinite, zero or
// negative, a zero point outside its range, a bias that is not finite,
// and any other tensor.
package quant
