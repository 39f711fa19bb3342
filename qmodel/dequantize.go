package qmodel

import (
	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/nn"
	"github.com/alexnet-go/alexnet/quant"
	"github.com/alexnet-go/alexnet/tensor"
)

// Dequantize returns the float32 network of the architecture cfg whose
// convolutions and linear layers carry qm's int8 weights dequantized,
// w = q·WeightScale[out channel], and qm's biases; its batch norms, folded
// into the convolutions by Calibrate, are the identity (weight 1, bias 0,
// mean 0, variance 1, Eps 0). It computes in float32 what the int8
// network computes with exact activations: the network whose gradients
// explain the int8 model's predictions (package explain). Every
// convolution and linear layer of cfg must be in qm.
func Dequantize(qm *quant.Model, cfg model.Config) (*model.AlexNet, error) {
	m, err := model.New(cfg)
	if err != nil {
		return nil, err
	}
	for _, mod := range m.Modules() {
		switch l := mod.Layer.(type) {
		case *nn.Conv2d:
			err = dequantizeInto(qm, mod.Name, l.Weight.Data, biasData(l.Bias))
		case *nn.Linear:
			err = dequantizeInto(qm, mod.Name, l.Weight.Data, biasData(l.Bias))
		case *nn.BatchNorm2d:
			for c := range l.C {
				l.Weight.Data[c], l.Bias.Data[c], l.RunningMean.Data[c], l.RunningVar.Data[c] = 1, 0, 0, 1
			}
			l.Eps = 0
		}
		if err != nil {
			return nil, err
		}
	}
	m.ParamsChanged()
	return m, nil
}

// dequantizeInto writes the dequantized weight and the bias of qm's layer
// called name into w and b (nil when the layer has none).
func dequantizeInto(qm *quant.Model, name string, w, b []float32) error {
	l := qm.Layer(name)
	if l == nil {
		return &UnsupportedError{name, "not in the quantized model"}
	}
	if len(l.Weight) != len(w) || len(l.WeightScale) == 0 || len(w)%len(l.WeightScale) != 0 {
		return &UnsupportedError{name, "weight shape does not fit the layer"}
	}
	per := len(w) / len(l.WeightScale)
	for i, q := range l.Weight {
		w[i] = float32(q) * l.WeightScale[i/per]
	}
	if b != nil {
		clear(b)
		copy(b, l.Bias)
	}
	return nil
}

// biasData is b's values, nil for no bias.
func biasData(b *tensor.Tensor) []float32 {
	if b == nil {
		return nil
	}
	return b.Data
}
