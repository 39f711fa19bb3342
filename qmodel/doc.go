// Package qmodel runs AlexNet with int8 convolutions and linear layers:
// Calibrate turns a float32 model.AlexNet into a quant.Model (batch norms
// folded into their convolutions, weights quantized per output channel,
// activation quantizers chosen by an observer over calibration images), and
// New builds from a quant.Model a network whose Forward maps float32 images
// to float32 logits.
//
// Each quantized layer quantizes its float32 input to uint8 with the layer's
// input quantizer, multiplies it by the int8 weights with kernels.I8Gemm
// (exact int32 sums) and dequantizes the sums to float32 with the bias and
// the fused ReLU (kernels.DequantizeF32). Activations stay float32 between
// layers, and pools run in float32 on them. PyTorch's quantized model instead
// requantizes each output to the next layer's input quantizer; since max
// pooling and ReLU commute with that monotone rounding, the two differ only by
// rounding order (the average pool's mean is rounded once here, after the
// mean, and PyTorch's last layer also rounds the logits to uint8).
//
// The package sits above model and quant and below predict and eval.
package qmodel
