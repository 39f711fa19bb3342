// Package qmodel runs AlexNet with int8 convolutions and linear layers:
// Calibrate turns a float32 model.AlexNet into a quant.Model (batch norms
// folded into their convolutions, weights quantized per output channel,
// activation quantizers chosen by an observer over calibration images), and
// New builds from a quant.Model a network whose Forward maps float32 images
// to float32 logits.
//
// Activations flow between the int8 layers as uint8, NHWC, as PyTorch's
// quantized model does: the first layer quantizes the float32 images with
// its input quantizer (kernels.QuantizeU8); each convolution multiplies the
// im2col rows of its input (kernels.Im2colU8, a strip of output pixels at
// a time, so that they and the int32 sums stay in L2) by its packed int8
// weights (kernels.I8Gemm, exact int32 sums) and requantizes the sums with
// its bias and fused ReLU straight to the next int8 layer's input
// quantizer (kernels.RequantizeU8, fbgemm's float requantization); max
// pooling runs on the uint8 values as they are (it commutes with the
// monotone quantizer), and writes, like a convolution followed by another,
// the zero point border the next convolution's padding reads. The last layer
// dequantizes its sums to float32 logits (kernels.DequantizeF32). A layer
// that stays float32 (NewMixed, local response normalization, an average
// pool that is not the identity) gets dequantized activations, and the
// int8 layer after it quantizes them again.
//
// The package sits above model and quant and below predict and eval.
package qmodel
