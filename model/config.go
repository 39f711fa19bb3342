// Package model builds AlexNet variants from package nn layers, with
// parameters keyed by torchvision's state_dict names ("features.0.weight").
// It never reads weight files: callers load tensors (package weights) and
// pass them to LoadStateDict.
//
// Module indices, as in an nn.Sequential built the same way in PyTorch:
//
//	torchvision (torchvision.models.alexnet, 224×224 input):
//	  features:   0 Conv2d(3,64,11,s4,p2)  1 ReLU  2 MaxPool2d(3,2)
//	              3 Conv2d(64,192,5,p2)    4 ReLU  5 MaxPool2d(3,2)
//	              6 Conv2d(192,384,3,p1)   7 ReLU
//	              8 Conv2d(384,256,3,p1)   9 ReLU
//	             10 Conv2d(256,256,3,p1)  11 ReLU 12 MaxPool2d(3,2)
//	original (Krizhevsky et al. 2012, 227×227 input):
//	  features:   0 Conv2d(3,96,11,s4,p0)  1 ReLU  2 LocalResponseNorm(5,1e-4,0.75,2)  3 MaxPool2d(3,2)
//	              4 Conv2d(96,256,5,p2,g2) 5 ReLU  6 LocalResponseNorm(5,1e-4,0.75,2)  7 MaxPool2d(3,2)
//	              8 Conv2d(256,384,3,p1)   9 ReLU
//	             10 Conv2d(384,384,3,p1,g2) 11 ReLU
//	             12 Conv2d(384,256,3,p1,g2) 13 ReLU 14 MaxPool2d(3,2)
//	tiny (64×64 input, e.g. Tiny ImageNet): torchvision's modules except
//	  features:   0 Conv2d(3,64,5,s2,p2)
//	  avgpool:    AdaptiveAvgPool2d(3,3)
//	  classifier: 1 Linear(256*9,4096)
//	tiny-bn: tiny with a BatchNorm2d between each convolution and its ReLU
//	  features:   0 Conv2d(3,64,5,s2,p2)   1 BatchNorm2d  2 ReLU  3 MaxPool2d(3,2)
//	              4 Conv2d(64,192,5,p2)    5 BatchNorm2d  6 ReLU  7 MaxPool2d(3,2)
//	              8 Conv2d(192,384,3,p1)   9 BatchNorm2d 10 ReLU
//	             11 Conv2d(384,256,3,p1)  12 BatchNorm2d 13 ReLU
//	             14 Conv2d(256,256,3,p1)  15 BatchNorm2d 16 ReLU 17 MaxPool2d(3,2)
//	  (as torchvision's vgg*_bn: the convolutions keep their biases)
//	all:
//	  avgpool:    AdaptiveAvgPool2d(6,6), then flatten(x, 1)
//	  classifier: 0 Dropout  1 Linear(256*36,4096)  2 ReLU  3 Dropout
//	              4 Linear(4096,4096)  5 ReLU  6 Linear(4096,1000)
//
// At 64×64, tiny's feature maps are 32, 15, 7 (conv3-5) and 3 pixels wide,
// the stride pattern torchvision's has at 224×224 (55, 27, 13, 6) for an
// input 3.5 times smaller; torchvision's own stem would leave conv3-5 at
// 3×3 and the pool at 1×1. In PyTorch, tiny is torchvision.models.alexnet
// with features[0], avgpool and classifier[1] replaced.
//
// Config.Channels and Config.Hidden scale the widths (the narrow variants of
// the test fixtures); testdata/gen/model.py builds the same modules in
// PyTorch.
package model

import (
	"fmt"
	"runtime"

	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/tensor"
)

// Architectures.
const (
	ArchTorchvision = "torchvision" // torchvision.models.alexnet
	ArchOriginal    = "original"    // the 2012 paper: LRN, grouped convolutions
	ArchTiny        = "tiny"        // torchvision's, with a 5×5 stride-2 stem for 64×64 inputs
	ArchTinyBN      = "tiny-bn"     // tiny with BatchNorm2d after each convolution
)

// Config describes one AlexNet variant.
type Config struct {
	// Arch is ArchTorchvision, ArchOriginal, ArchTiny or ArchTinyBN.
	Arch string
	// Channels are the output channels of the five convolutions.
	Channels [5]int
	// Hidden is the width of the two hidden fully connected layers.
	Hidden int
	// NumClasses is the number of logits.
	NumClasses int
	// InputSize is the nominal square input side (224 or 227) used by
	// Summary; Forward takes any size the layers accept.
	InputSize int
	// Threads is the goroutine count of convolutions and linear layers;
	// 0 means runtime.GOMAXPROCS(0).
	Threads int
	// Conv is the convolution algorithm of every convolution, forward and
	// backward: the zero value, kernels.AutoConv, is Winograd where it
	// applies unless the process default says direct
	// (kernels.SetDefaultConv); kernels.DirectConv and
	// kernels.WinogradConv hold whatever the default.
	Conv kernels.ConvAlgorithm
	// LRNBias is the k of ArchOriginal's local response normalizations:
	// 0 means 2, the paper's (PyTorch's LocalResponseNorm(5, 1e-4, 0.75,
	// 2)); Caffe's BVLC AlexNet, and the ONNX model zoo's bvlcalexnet made
	// from it, use 1.
	LRNBias float32
	// CeilPool makes every max pool round its output size up (PyTorch's
	// ceil_mode=True), as Caffe's pooling does: the ONNX model zoo's
	// bvlcalexnet at 224×224 needs it.
	CeilPool bool
}

// lrnBias is LRNBias, or 2 when it is 0.
func (c Config) lrnBias() float32 {
	if c.LRNBias == 0 {
		return 2
	}
	return c.LRNBias
}

// TorchvisionConfig is torchvision.models.alexnet: 61,100,840 parameters.
func TorchvisionConfig() Config {
	return Config{Arch: ArchTorchvision, Channels: [5]int{64, 192, 384, 256, 256},
		Hidden: 4096, NumClasses: 1000, InputSize: 224}
}

// OriginalConfig is the network of Krizhevsky, Sutskever and Hinton (2012)
// on one device: 96-256-384-384-256 filters, LRN, groups of 2.
func OriginalConfig() Config {
	return Config{Arch: ArchOriginal, Channels: [5]int{96, 256, 384, 384, 256},
		Hidden: 4096, NumClasses: 1000, InputSize: 227, LRNBias: 2}
}

// ConfigError reports a Config that New cannot build.
type ConfigError struct {
	Config Config
	Msg    string
}

// Error implements error.
func (e *ConfigError) Error() string { return "model: config " + e.Config.Arch + ": " + e.Msg }

func (c Config) validate() error {
	bad := func(format string, args ...any) error { return &ConfigError{c, fmt.Sprintf(format, args...)} }
	if _, err := ConfigFor(c.Arch); err != nil {
		return err
	}
	for i, ch := range c.Channels {
		if ch < 1 {
			return bad("channels[%d] = %d", i, ch)
		}
		if c.Arch == ArchOriginal && i != 2 && ch%2 != 0 {
			return bad("channels[%d] = %d must be even for groups=2", i, ch)
		}
	}
	if c.Conv > kernels.WinogradConv {
		return bad("convolution algorithm %v", c.Conv)
	}
	if c.LRNBias < 0 || c.LRNBias != c.LRNBias {
		return bad("LRN bias %g", c.LRNBias)
	}
	if c.Hidden < 1 || c.NumClasses < 1 || c.InputSize < 0 || c.Threads < 0 {
		return bad("hidden %d classes %d input size %d threads %d", c.Hidden, c.NumClasses, c.InputSize, c.Threads)
	}
	return nil
}

func (c Config) threads() int {
	if c.Threads > 0 {
		return c.Threads
	}
	return runtime.GOMAXPROCS(0)
}

// TinyConfig is ArchTiny at torchvision's widths for Tiny ImageNet's 200
// classes at 64×64.
func TinyConfig() Config {
	return Config{Arch: ArchTiny, Channels: [5]int{64, 192, 384, 256, 256},
		Hidden: 4096, NumClasses: 200, InputSize: 64}
}

// ConfigFor returns the full-size Config of an architecture name
// ("torchvision", "original", "tiny" or "tiny-bn").
func ConfigFor(arch string) (Config, error) {
	switch arch {
	case ArchTorchvision:
		return TorchvisionConfig(), nil
	case ArchOriginal:
		return OriginalConfig(), nil
	case ArchTiny:
		return TinyConfig(), nil
	case ArchTinyBN:
		c := TinyConfig()
		c.Arch = ArchTinyBN
		return c, nil
	}
	return Config{}, &ConfigError{Config: Config{Arch: arch}, Msg: `unknown architecture (want "torchvision", "original", "tiny" or "tiny-bn")`}
}

// poolSide is the adaptive average pool's output side: 6, or 3 for tiny
// and tiny-bn.
func (c Config) poolSide() int {
	if c.Arch == ArchTiny || c.Arch == ArchTinyBN {
		return 3
	}
	return 6
}

// convIndices are the features.<i> indices of the five convolutions.
var convIndices = map[string][5]int{
	ArchTorchvision: {0, 3, 6, 8, 10},
	ArchOriginal:    {0, 4, 8, 10, 12},
	ArchTiny:        {0, 3, 6, 8, 10},
	ArchTinyBN:      {0, 4, 8, 11, 14},
}

// DetectArch names the architecture whose module layout sd has: batch-norm
// statistics at features.1 or a convolution at features.14 (tiny-bn, also
// with its batch norms folded, as in an int8 model), a convolution at features.4
// (original), a 5×5 first convolution (tiny) or else an 11×11 one
// (torchvision); "" when sd has no features.0.weight of 4 dimensions.
func DetectArch(sd map[string]*tensor.Tensor) string {
	w, ok := sd["features.0.weight"]
	switch {
	case !ok || len(w.Shape) != 4:
		return ""
	case sd["features.1.running_mean"] != nil, sd["features.14.weight"] != nil:
		return ArchTinyBN
	case sd["features.4.weight"] != nil:
		return ArchOriginal
	case w.Shape[3] == 5:
		return ArchTiny
	}
	return ArchTorchvision
}

// InferConfig returns the Config of arch whose widths fit the state dict:
// conv output channels from features.<i>.weight, the hidden width from
// classifier.1.weight and the class count from classifier.6.weight (as in
// torchvision.models.alexnet(num_classes=N)). Tensors that are absent or
// not matrices leave the full-size value; LoadStateDict reports them.
func InferConfig(arch string, sd map[string]*tensor.Tensor) (Config, error) {
	cfg, err := ConfigFor(arch)
	if err != nil {
		return cfg, err
	}
	outDim := func(name string) int {
		if t, ok := sd[name]; ok && len(t.Shape) >= 2 && t.Shape[0] > 0 {
			return t.Shape[0]
		}
		return 0
	}
	for i, idx := range convIndices[arch] {
		if d := outDim(fmt.Sprintf("features.%d.weight", idx)); d > 0 {
			cfg.Channels[i] = d
		}
	}
	if d := outDim("classifier.1.weight"); d > 0 {
		cfg.Hidden = d
	}
	if d := outDim("classifier.6.weight"); d > 0 {
		cfg.NumClasses = d
	}
	return cfg, cfg.validate()
}
