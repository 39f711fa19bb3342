package weights

import (
	"fmt"
	"slices"

	"github.com/alexnet-go/alexnet/weights/onnxpb"
)

// layerKind is the kind of one of our layers that an ONNX node computes.
type layerKind int

const (
	kindConv    layerKind = iota // Conv
	kindBN                       // BatchNormalization (inference)
	kindReLU                     // Relu
	kindLRN                      // LRN
	kindMaxPool                  // MaxPool
	kindAvgPool                  // AveragePool (k = 0: GlobalAveragePool)
	kindFlatten                  // Flatten(axis 1), or Reshape to (N, -1)
	kindLinear                   // Gemm, or MatMul then Add
	kindSoftmax                  // Softmax over the classes
)

var kindNames = [...]string{"Conv", "BatchNormalization", "Relu", "LRN", "MaxPool", "AveragePool", "Flatten", "Gemm", "Softmax"}

func (k layerKind) String() string { return kindNames[k] }

// graphLayer is one node of a graph (two for MatMul then Add) as one of
// our layers: its kind, the hyperparameters our layers have, and the
// initializers that hold its parameters.
type graphLayer struct {
	node, op string // the (first) node's name, or "#<index>", and op type
	kind     layerKind
	// Conv and pools: square kernel k, stride s, symmetric padding p;
	// Conv's group g; MaxPool's ceil_mode, and its padding at the end
	// (bottom and right) only, as Caffe's round-up pooling is written.
	k, s, p, g int
	ceil       bool
	padEnd     int
	// LRN: size, alpha, beta, bias.
	size              int
	alpha, beta, bias float32
	eps               float32 // BatchNormalization's epsilon
	params            []string
	transB            bool    // Linear: the weight is (out, in); else (in, out)
	scaleW, scaleB    float32 // Linear: Gemm's alpha and beta (1 for MatMul+Add)
	shape             []int64 // Flatten as Reshape: the target shape
	zeroBias          bool    // Conv or Linear without a bias input (MatMul without Add)
}

// nodeError is a *GraphError on n (named name) wrapped in an *Error.
func nodeError(name string, n *onnxpb.NodeProto, format string, args ...any) error {
	return &Error{Err: &GraphError{Node: name, Op: n.GetOpType(), Msg: fmt.Sprintf(format, args...)}}
}

// graphLayers walks g's nodes from input x, a chain of nodes each taking
// the one before's output, and returns them as layers and the name of
// the last value. Identity and inference Dropout nodes are skipped,
// Constant nodes become initializers, MatMul then Add is one layer.
func graphLayers(g *onnxpb.GraphProto, x string, inits map[string]*onnxpb.TensorProto, opset int64) ([]graphLayer, string, error) {
	var out []graphLayer
	nodes := g.GetNode()
	consumed := map[string]bool{}
	for _, n := range nodes {
		for _, in := range n.GetInput() {
			consumed[in] = true
		}
	}
	for _, o := range g.GetOutput() {
		consumed[o.GetName()] = true
	}
	for i := 0; i < len(nodes); i++ {
		n := nodes[i]
		name := n.GetName()
		if name == "" {
			name = fmt.Sprintf("#%d", i)
		}
		if d := n.GetDomain(); d != "" && d != "ai.onnx" {
			return nil, "", nodeError(name, n, "operator domain %q is not supported", d)
		}
		if n.GetOpType() == "Constant" {
			t := constantValue(n)
			if t == nil || len(n.GetOutput()) != 1 {
				return nil, "", nodeError(name, n, "only a Constant with a tensor value and one output is supported")
			}
			inits[n.GetOutput()[0]] = t
			continue
		}
		if len(n.GetInput()) == 0 || n.GetInput()[0] != x {
			return nil, "", nodeError(name, n, "does not take the output of the node before it (%q); only a chain of layers is supported", x)
		}
		if outs := n.GetOutput(); len(outs) == 0 || outs[0] == "" || slices.ContainsFunc(outs[1:], func(o string) bool { return consumed[o] }) {
			return nil, "", nodeError(name, n, "only the first output may be used")
		}
		switch n.GetOpType() {
		case "Identity", "Dropout":
			if msg := checkPassThrough(n, inits); msg != "" {
				return nil, "", nodeError(name, n, "%s", msg)
			}
			x = n.GetOutput()[0]
			continue
		}
		l := graphLayer{node: name, op: n.GetOpType(), scaleW: 1, scaleB: 1}
		msg := l.parse(n, inits, opset)
		if msg == "" && n.GetOpType() == "MatMul" && i+1 < len(nodes) && isBiasAdd(nodes[i+1], n.GetOutput()[0], inits) {
			i++
			l.params = append(l.params, biasOf(nodes[i], n.GetOutput()[0]))
			l.zeroBias = false
			n = nodes[i]
		}
		if msg != "" {
			return nil, "", nodeError(name, n, "%s", msg)
		}
		out = append(out, l)
		x = n.GetOutput()[0]
	}
	return out, x, nil
}

// parse reads n into l, returning what is wrong with it or "".
func (l *graphLayer) parse(n *onnxpb.NodeProto, inits map[string]*onnxpb.TensorProto, opset int64) string {
	a := attrs(n)
	in := n.GetInput()
	switch n.GetOpType() {
	case "Conv":
		l.kind = kindConv
		if len(in) != 2 && len(in) != 3 {
			return fmt.Sprintf("%d inputs, want input, weight and bias", len(in))
		}
		l.params, l.zeroBias = in[1:], len(in) == 2
		return a.window(l, true, "kernel_shape", "strides", "pads", "dilations", "group", "auto_pad")
	case "MaxPool", "AveragePool":
		l.kind = kindMaxPool
		if n.GetOpType() == "AveragePool" {
			l.kind = kindAvgPool
		}
		if len(in) != 1 {
			return fmt.Sprintf("%d inputs, want 1", len(in))
		}
		return a.window(l, false, "kernel_shape", "strides", "pads", "dilations", "ceil_mode", "storage_order", "count_include_pad", "auto_pad")
	case "GlobalAveragePool":
		l.kind = kindAvgPool
		return a.only()
	case "Relu":
		l.kind = kindReLU
		return a.only()
	case "LRN":
		l.kind = kindLRN
		size := a.int("size", -1)
		l.size, l.alpha, l.beta, l.bias = int(size), a.float("alpha", 1e-4), a.float("beta", 0.75), a.float("bias", 1)
		if msg := a.only("size", "alpha", "beta", "bias"); msg != "" || size >= 1 {
			return msg
		}
		return "attribute size is missing"
	case "BatchNormalization":
		l.kind = kindBN
		if len(in) != 5 {
			return fmt.Sprintf("%d inputs, want input, scale, bias, mean and variance", len(in))
		}
		l.params, l.eps = in[1:], a.float("epsilon", 1e-5)
		a.float("momentum", 0.9)
		if msg := a.only("epsilon", "momentum", "training_mode", "spatial"); msg != "" {
			return msg
		}
		if a.int("training_mode", 0) != 0 || a.int("spatial", 1) != 1 {
			return "only inference (training_mode 0, spatial 1) is supported"
		}
		return ""
	case "Flatten":
		l.kind = kindFlatten
		if ax := a.int("axis", 1); ax != 1 {
			return fmt.Sprintf("axis = %d, our flatten keeps axis 0 (the batch) only", ax)
		}
		return a.only("axis")
	case "Reshape":
		return l.parseReshape(n, a, inits)
	case "Gemm", "MatMul":
		return l.parseLinear(n, a)
	case "Softmax":
		l.kind = kindSoftmax
		def := int64(1)
		if opset >= 13 {
			def = -1
		}
		if ax := a.int("axis", def); ax != 1 && ax != -1 {
			return fmt.Sprintf("axis = %d, want the classes' (1 or -1)", ax)
		}
		return a.only("axis")
	}
	return "no layer of ours computes " + n.GetOpType()
}

func (l *graphLayer) parseReshape(n *onnxpb.NodeProto, a *nodeAttrs, inits map[string]*onnxpb.TensorProto) string {
	l.kind = kindFlatten
	in := n.GetInput()
	if len(in) != 2 || inits[in[1]] == nil {
		return "the shape must be a constant"
	}
	v, err := onnxInt64s(inits[in[1]])
	if err != nil {
		return "shape: " + err.Error()
	}
	if len(v) != 2 || v[0] != 0 && v[0] != 1 && v[0] != -1 {
		return fmt.Sprintf("shape %v is not torch.flatten(x, 1)", v)
	}
	l.shape = v
	if a.int("allowzero", 0) != 0 {
		return "allowzero = 1 is not supported"
	}
	return a.only("allowzero")
}

func (l *graphLayer) parseLinear(n *onnxpb.NodeProto, a *nodeAttrs) string {
	l.kind = kindLinear
	in := n.GetInput()
	if n.GetOpType() == "MatMul" {
		if len(in) != 2 {
			return fmt.Sprintf("%d inputs, want 2", len(in))
		}
		l.params, l.zeroBias = in[1:], true
		return a.only()
	}
	if len(in) != 2 && len(in) != 3 {
		return fmt.Sprintf("%d inputs, want A, B and C", len(in))
	}
	l.params, l.zeroBias = in[1:], len(in) == 2
	l.transB = a.int("transB", 0) != 0
	l.scaleW, l.scaleB = a.float("alpha", 1), a.float("beta", 1)
	if msg := a.only("alpha", "beta", "transA", "transB", "broadcast"); msg != "" {
		return msg
	}
	if a.int("transA", 0) != 0 {
		return "transA = 1: our layer takes the batch as rows"
	}
	return ""
}

// checkPassThrough says what keeps an Identity or Dropout node from
// being the identity at inference, or "".
func checkPassThrough(n *onnxpb.NodeProto, inits map[string]*onnxpb.TensorProto) string {
	in := n.GetInput()
	if n.GetOpType() == "Identity" && len(in) != 1 {
		return "want one input"
	}
	if len(in) == 3 && in[2] != "" {
		t := inits[in[2]]
		if t == nil || len(t.GetInt32Data()) == 1 && t.GetInt32Data()[0] != 0 || len(t.GetRawData()) == 1 && t.GetRawData()[0] != 0 {
			return "training_mode must be a constant false"
		}
	}
	if len(in) > 3 {
		return fmt.Sprintf("%d inputs", len(in))
	}
	a := attrs(n)
	a.float("ratio", 0.5)
	a.int("seed", 0)
	return a.only("ratio", "seed")
}

// isBiasAdd reports whether n is an Add of value x and a 1-D initializer.
func isBiasAdd(n *onnxpb.NodeProto, x string, inits map[string]*onnxpb.TensorProto) bool {
	in := n.GetInput()
	if n.GetOpType() != "Add" || len(in) != 2 || len(n.GetAttribute()) != 0 || usedOutputs(n) != 1 {
		return false
	}
	b := biasOf(n, x)
	return (in[0] == x || in[1] == x) && inits[b] != nil && len(inits[b].GetDims()) == 1
}

// biasOf is the input of Add node n that is not x.
func biasOf(n *onnxpb.NodeProto, x string) string {
	if n.GetInput()[0] == x {
		return n.GetInput()[1]
	}
	return n.GetInput()[0]
}
