package weights

import "fmt"

// archStep is one module of one of our architectures (package model's
// doc lists them), in the order the forward pass runs them.
type archStep struct {
	module     string // e.g. "features.0"; "avgpool", "flatten", "softmax"
	kind       layerKind
	k, s, p, g int  // Conv and MaxPool
	optional   bool // avgpool (the identity at the architecture's input size) and a last Softmax
}

// onnxArch is an architecture as a chain of steps.
type onnxArch struct {
	name  string // model.ArchTorchvision, ...
	side  int    // the input size it is made for
	pool  int    // the side of the map flatten takes
	steps []archStep
}

func convS(i, k, s, p, g int) archStep {
	return archStep{module: fmt.Sprintf("features.%d", i), kind: kindConv, k: k, s: s, p: p, g: g}
}

func featS(i int, kind layerKind) archStep {
	st := archStep{module: fmt.Sprintf("features.%d", i), kind: kind}
	if kind == kindMaxPool {
		st.k, st.s = 3, 2
	}
	return st
}

// classifierSteps are the avgpool and the classifier every architecture
// ends with.
var classifierSteps = []archStep{
	{module: "avgpool", kind: kindAvgPool, optional: true},
	{module: "flatten", kind: kindFlatten},
	{module: "classifier.1", kind: kindLinear}, {module: "classifier.2", kind: kindReLU},
	{module: "classifier.4", kind: kindLinear}, {module: "classifier.5", kind: kindReLU},
	{module: "classifier.6", kind: kindLinear},
	{module: "softmax", kind: kindSoftmax, optional: true},
}

// plainFeatures are torchvision's features with the given stem.
func plainFeatures(k, s, p int) []archStep {
	return []archStep{
		convS(0, k, s, p, 1), featS(1, kindReLU), featS(2, kindMaxPool),
		convS(3, 5, 1, 2, 1), featS(4, kindReLU), featS(5, kindMaxPool),
		convS(6, 3, 1, 1, 1), featS(7, kindReLU),
		convS(8, 3, 1, 1, 1), featS(9, kindReLU),
		convS(10, 3, 1, 1, 1), featS(11, kindReLU), featS(12, kindMaxPool),
	}
}

// onnxArchs are our architectures, tried in this order.
var onnxArchs = []onnxArch{
	{"torchvision", 224, 6, append(plainFeatures(11, 4, 2), classifierSteps...)},
	{"tiny", 64, 3, append(plainFeatures(5, 2, 2), classifierSteps...)},
	{"original", 227, 6, append([]archStep{
		convS(0, 11, 4, 0, 1), featS(1, kindReLU), featS(2, kindLRN), featS(3, kindMaxPool),
		convS(4, 5, 1, 2, 2), featS(5, kindReLU), featS(6, kindLRN), featS(7, kindMaxPool),
		convS(8, 3, 1, 1, 1), featS(9, kindReLU),
		convS(10, 3, 1, 1, 2), featS(11, kindReLU),
		convS(12, 3, 1, 1, 2), featS(13, kindReLU), featS(14, kindMaxPool),
	}, classifierSteps...)},
	{"tiny-bn", 64, 3, append([]archStep{
		convS(0, 5, 2, 2, 1), featS(1, kindBN), featS(2, kindReLU), featS(3, kindMaxPool),
		convS(4, 5, 1, 2, 1), featS(5, kindBN), featS(6, kindReLU), featS(7, kindMaxPool),
		convS(8, 3, 1, 1, 1), featS(9, kindBN), featS(10, kindReLU),
		convS(11, 3, 1, 1, 1), featS(12, kindBN), featS(13, kindReLU),
		convS(14, 3, 1, 1, 1), featS(15, kindBN), featS(16, kindReLU), featS(17, kindMaxPool),
	}, classifierSteps...)},
}

// archByName returns the onnxArch called name.
func archByName(name string) (onnxArch, bool) {
	for _, a := range onnxArchs {
		if a.name == name {
			return a, true
		}
	}
	return onnxArch{}, false
}

// LRN hyperparameters every LRN of the original architecture has (the
// paper's and Caffe's); its bias k is 2 in the paper and 1 in Caffe.
const (
	lrnSize  = 5
	lrnAlpha = 1e-4
	lrnBeta  = 0.75
)
