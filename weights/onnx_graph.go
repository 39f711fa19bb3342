package weights

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/alexnet-go/alexnet/tensor"
	"github.com/alexnet-go/alexnet/weights/onnxpb"
)

// GraphError reports an ONNX node, or the graph around it, that the
// model's layers cannot compute: an op with no layer of ours at that
// place, an attribute whose value our layer does not implement, a weight
// of the wrong shape. Load wraps it in an *Error naming the file.
type GraphError struct {
	Node string // the node's name, or "#<index>" when it has none; "" for the graph
	Op   string // the node's op type
	Msg  string // why
}

func (e *GraphError) Error() string {
	if e.Node == "" {
		return "onnx graph: " + e.Msg
	}
	return fmt.Sprintf("onnx node %q (%s): %s", e.Node, e.Op, e.Msg)
}

// attrWant is what an ONNX attribute must be for our layer to compute the
// node: want is the value our layer needs ([]int64 for INT and INTS,
// float32 for FLOAT, string for STRING; nil: any value), def the value
// onnx.proto's operator spec gives an absent attribute (nil: required).
type attrWant struct{ want, def any }

// onnxStep is one module of torchvision's AlexNet and the ONNX ops that
// may compute it, each with every attribute it may carry.
type onnxStep struct {
	module   string // our module, e.g. "features.0"; "flatten" for torch.flatten(x, 1)
	ops      map[string]map[string]attrWant
	optional bool // avgpool: an identity at 224×224, which exporters may drop
}

func ints(v ...int64) []int64 { return v }

func convStep(i int, k, s, p int64) onnxStep {
	return onnxStep{module: fmt.Sprintf("features.%d", i), ops: map[string]map[string]attrWant{"Conv": {
		"kernel_shape": {ints(k, k), ints(k, k)}, // absent: taken from the weight, checked below
		"strides":      {ints(s, s), ints(1, 1)},
		"pads":         {ints(p, p, p, p), ints(0, 0, 0, 0)},
		"dilations":    {ints(1, 1), ints(1, 1)},
		"group":        {ints(1), ints(1)},
		"auto_pad":     {"NOTSET", "NOTSET"},
	}}}
}

func reluStep(module string) onnxStep {
	return onnxStep{module: module, ops: map[string]map[string]attrWant{"Relu": {}}}
}

func maxPoolStep(i int) onnxStep {
	return onnxStep{module: fmt.Sprintf("features.%d", i), ops: map[string]map[string]attrWant{"MaxPool": {
		"kernel_shape":  {ints(3, 3), nil},
		"strides":       {ints(2, 2), ints(1, 1)},
		"pads":          {ints(0, 0, 0, 0), ints(0, 0, 0, 0)},
		"dilations":     {ints(1, 1), ints(1, 1)},
		"ceil_mode":     {ints(0), ints(0)},
		"storage_order": {ints(0), ints(0)},
		"auto_pad":      {"NOTSET", "NOTSET"},
	}}}
}

func gemmStep(i int) onnxStep {
	return onnxStep{module: fmt.Sprintf("classifier.%d", i), ops: map[string]map[string]attrWant{"Gemm": {
		"alpha":  {float32(1), float32(1)},
		"beta":   {float32(1), float32(1)},
		"transA": {ints(0), ints(0)},
		"transB": {nil, ints(0)}, // 1 from torch; 0 is transposed on reading
	}}}
}

// torchvisionSteps is torchvision's AlexNet (model package doc) as
// torch.onnx.export writes it at opsets 11 to 17: Conv, Relu and MaxPool
// for features; AdaptiveAvgPool2d((6, 6)) on the 6×6 map of a 224×224
// input as a 1×1 AveragePool or as nothing; torch.flatten as Flatten or
// Reshape; each Linear as Gemm(transB=1); Dropout as nothing in eval mode
// (Dropout and Identity nodes, which older exports keep, pass through).
var torchvisionSteps = []onnxStep{
	convStep(0, 11, 4, 2), reluStep("features.1"), maxPoolStep(2),
	convStep(3, 5, 1, 2), reluStep("features.4"), maxPoolStep(5),
	convStep(6, 3, 1, 1), reluStep("features.7"),
	convStep(8, 3, 1, 1), reluStep("features.9"),
	convStep(10, 3, 1, 1), reluStep("features.11"), maxPoolStep(12),
	{module: "avgpool", optional: true, ops: map[string]map[string]attrWant{"AveragePool": {
		"kernel_shape":      {ints(1, 1), nil},
		"strides":           {ints(1, 1), ints(1, 1)},
		"pads":              {ints(0, 0, 0, 0), ints(0, 0, 0, 0)},
		"ceil_mode":         {ints(0), ints(0)},
		"count_include_pad": {nil, ints(0)}, // no padding: no effect
		"auto_pad":          {"NOTSET", "NOTSET"},
	}}},
	{module: "flatten", ops: map[string]map[string]attrWant{
		"Flatten": {"axis": {ints(1), ints(1)}},
		"Reshape": {"allowzero": {ints(0), ints(0)}},
	}},
	gemmStep(1), reluStep("classifier.2"),
	gemmStep(4), reluStep("classifier.5"),
	gemmStep(6),
}

// passThrough are the ops that compute the identity at inference: they
// are skipped when they have one input and one used output.
var passThrough = map[string]bool{"Identity": true, "Dropout": true}

// graphMapper walks a graph's nodes along torchvisionSteps.
type graphMapper struct {
	inits map[string]*onnxpb.TensorProto
	load  func(name string) (*tensor.Tensor, error)
	sd    *StateDict
	chans int // channels (features) of the value flowing between nodes
}

// mapTorchvision checks that g is torchvision's AlexNet as a chain of
// nodes, one step of torchvisionSteps after the other, from the graph's
// one input (N, 3, 224, 224) to its one output, and returns the state
// dict of the initializers the Conv and Gemm nodes take as weight and
// bias, named after their step. load reads an initializer (nil when name
// is not one).
func mapTorchvision(g *onnxpb.GraphProto, inits map[string]*onnxpb.TensorProto, load func(string) (*tensor.Tensor, error)) (*StateDict, error) {
	gm := &graphMapper{inits: inits, load: load, sd: NewStateDict(), chans: 3}
	x, err := graphInput(g, inits)
	if err != nil {
		return nil, err
	}
	step := 0
	for i, n := range g.GetNode() {
		name := n.GetName()
		if name == "" {
			name = fmt.Sprintf("#%d", i)
		}
		bad := func(format string, args ...any) error {
			return &Error{Err: &GraphError{Node: name, Op: n.GetOpType(), Msg: fmt.Sprintf(format, args...)}}
		}
		if d := n.GetDomain(); d != "" && d != "ai.onnx" {
			return nil, bad("operator domain %q is not supported", d)
		}
		if n.GetOpType() == "Constant" {
			t := constantValue(n)
			if t == nil || len(n.GetOutput()) != 1 {
				return nil, bad("only a Constant with a tensor value and one output is supported")
			}
			inits[n.GetOutput()[0]] = t
			continue
		}
		if len(n.GetInput()) == 0 || n.GetInput()[0] != x {
			return nil, bad("does not take the output of the node before it (%q); only a chain of layers is supported", x)
		}
		if passThrough[n.GetOpType()] {
			if len(n.GetInput()) != 1 || usedOutputs(n) != 1 {
				return nil, bad("only the one-input, one-output inference form is supported")
			}
			x = n.GetOutput()[0]
			continue
		}
		for step < len(torchvisionSteps) && torchvisionSteps[step].optional && torchvisionSteps[step].ops[n.GetOpType()] == nil {
			step++
		}
		if step == len(torchvisionSteps) {
			return nil, bad("comes after classifier.6, the last layer")
		}
		s := torchvisionSteps[step]
		spec, ok := s.ops[n.GetOpType()]
		if !ok {
			return nil, bad("no layer of ours computes it here: want %s (%s)", opNames(s), s.module)
		}
		if msg := checkAttrs(n, spec); msg != "" {
			return nil, bad("%s: %s", s.module, msg)
		}
		if usedOutputs(n) != 1 {
			return nil, bad("%s: only one output is supported", s.module)
		}
		if msg, err := gm.apply(s.module, spec, n); err != nil {
			return nil, err
		} else if msg != "" {
			return nil, bad("%s: %s", s.module, msg)
		}
		x = n.GetOutput()[0]
		step++
	}
	for step < len(torchvisionSteps) && torchvisionSteps[step].optional {
		step++
	}
	if step < len(torchvisionSteps) {
		s := torchvisionSteps[step]
		return nil, &Error{Err: &GraphError{Msg: fmt.Sprintf("graph ends before %s (%s)", s.module, opNames(s))}}
	}
	if out := g.GetOutput(); len(out) != 1 || out[0].GetName() != x {
		return nil, &Error{Err: &GraphError{Msg: fmt.Sprintf("want one graph output, the logits %q", x)}}
	}
	return gm.sd, nil
}

// apply checks a node's inputs beyond the first and adds its parameters:
// a message says what is wrong with the node, an error is from reading a
// tensor.
func (gm *graphMapper) apply(module string, spec map[string]attrWant, n *onnxpb.NodeProto) (string, error) {
	in := n.GetInput()
	switch n.GetOpType() {
	case "Relu", "MaxPool", "AveragePool", "Flatten":
		if len(in) != 1 {
			return fmt.Sprintf("%d inputs, want 1", len(in)), nil
		}
		if n.GetOpType() == "Flatten" {
			gm.chans *= 36
		}
	case "Reshape":
		if len(in) != 2 || gm.inits[in[1]] == nil {
			return "the shape must be a constant", nil
		}
		v, err := onnxInt64s(gm.inits[in[1]])
		if err != nil {
			return "shape: " + err.Error(), nil
		}
		f := int64(gm.chans * 36)
		if len(v) != 2 || !(v[0] == 0 || v[0] == 1 || v[0] == -1 && v[1] == f) || !(v[1] == -1 || v[1] == f) {
			return fmt.Sprintf("shape %v is not torch.flatten(x, 1) of (N, %d, 6, 6)", v, gm.chans), nil
		}
		gm.chans *= 36
	case "Conv", "Gemm":
		if len(in) != 3 {
			return fmt.Sprintf("%d inputs, want input, weight and bias", len(in)), nil
		}
		w, err := gm.load(in[1])
		if err != nil || w == nil {
			return fmt.Sprintf("weight %q is not an initializer", in[1]), err
		}
		b, err := gm.load(in[2])
		if err != nil || b == nil {
			return fmt.Sprintf("bias %q is not an initializer", in[2]), err
		}
		if n.GetOpType() == "Gemm" && attrInts(n, "transB") == nil && len(w.Shape) == 2 {
			w = transpose(w)
		}
		var want []int
		if n.GetOpType() == "Conv" {
			k := spec["kernel_shape"].want.([]int64) // checked by checkAttrs when present
			if len(w.Shape) == 4 {
				want = []int{w.Shape[0], gm.chans, int(k[0]), int(k[1])}
			}
		} else if len(w.Shape) == 2 {
			want = []int{w.Shape[0], gm.chans}
		}
		if want == nil || !tensor.SameShape(w.Shape, want) || len(b.Shape) != 1 || b.Shape[0] != w.Shape[0] {
			return fmt.Sprintf("weight %s and bias %s do not fit a layer of %d inputs", tensor.ShapeString(w.Shape), tensor.ShapeString(b.Shape), gm.chans), nil
		}
		gm.chans = w.Shape[0]
		if err := gm.sd.Add(module+".weight", w); err != nil {
			return "", err
		}
		if err := gm.sd.Add(module+".bias", b); err != nil {
			return "", err
		}
	}
	return "", nil
}

// graphInput returns the name of g's one input that is not an
// initializer, checking its declared shape against (N, 3, 224, 224):
// the 1×1 AveragePool torch writes for avgpool is our adaptive pool only
// on the 6×6 map of a 224×224 input.
func graphInput(g *onnxpb.GraphProto, inits map[string]*onnxpb.TensorProto) (string, error) {
	var ins []*onnxpb.ValueInfoProto
	for _, v := range g.GetInput() {
		if inits[v.GetName()] == nil {
			ins = append(ins, v)
		}
	}
	if len(ins) != 1 {
		return "", &Error{Err: &GraphError{Msg: fmt.Sprintf("%d graph inputs besides the initializers, want 1", len(ins))}}
	}
	if sh := ins[0].GetType().GetTensorType().GetShape(); sh != nil {
		want := []int64{0, 3, 224, 224} // 0: any
		dims := sh.GetDim()
		ok := len(dims) == 4
		for i := 0; ok && i < 4; i++ {
			v := dims[i].GetDimValue()
			ok = v == 0 || want[i] == 0 || v == want[i]
		}
		if !ok {
			var s []string
			for _, d := range dims {
				if d.GetDimParam() != "" {
					s = append(s, d.GetDimParam())
				} else {
					s = append(s, fmt.Sprint(d.GetDimValue()))
				}
			}
			return "", &Error{Err: &GraphError{Msg: fmt.Sprintf("input %q is (%s), want (N, 3, 224, 224)", ins[0].GetName(), strings.Join(s, ", "))}}
		}
	}
	return ins[0].GetName(), nil
}

// checkAttrs returns what is wrong with n's attributes against spec, or "".
func checkAttrs(n *onnxpb.NodeProto, spec map[string]attrWant) string {
	seen := map[string]bool{}
	for _, a := range n.GetAttribute() {
		w, ok := spec[a.GetName()]
		if !ok {
			return fmt.Sprintf("attribute %s is not supported", a.GetName())
		}
		seen[a.GetName()] = true
		v := attrValue(a)
		if v == nil {
			return fmt.Sprintf("attribute %s has type %v", a.GetName(), a.GetType())
		}
		if w.want != nil && !reflect.DeepEqual(v, w.want) {
			return fmt.Sprintf("%s = %v, our layer computes %v", a.GetName(), v, w.want)
		}
	}
	names := make([]string, 0, len(spec))
	for name := range spec {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		w := spec[name]
		switch {
		case seen[name]:
		case w.def == nil:
			return fmt.Sprintf("attribute %s is missing", name)
		case w.want != nil && !reflect.DeepEqual(w.def, w.want):
			return fmt.Sprintf("%s is absent, so %v, our layer computes %v", name, w.def, w.want)
		}
	}
	return ""
}

// attrValue is a's value as checkAttrs compares it, nil for a type it
// does not.
func attrValue(a *onnxpb.AttributeProto) any {
	switch a.GetType() {
	case onnxpb.AttributeProto_INT:
		return []int64{a.GetI()}
	case onnxpb.AttributeProto_INTS:
		return append([]int64{}, a.GetInts()...)
	case onnxpb.AttributeProto_FLOAT:
		return a.GetF()
	case onnxpb.AttributeProto_STRING:
		return string(a.GetS())
	}
	return nil
}

// attrInts returns n's INT or INTS attribute called name, or nil when it
// is absent or a single zero.
func attrInts(n *onnxpb.NodeProto, name string) []int64 {
	for _, a := range n.GetAttribute() {
		if a.GetName() != name {
			continue
		}
		v, _ := attrValue(a).([]int64)
		if len(v) == 1 && v[0] == 0 {
			return nil
		}
		return v
	}
	return nil
}

// usedOutputs counts n's outputs with a name (an empty name is an
// omitted optional output).
func usedOutputs(n *onnxpb.NodeProto) int {
	c := 0
	for _, o := range n.GetOutput() {
		if o != "" {
			c++
		}
	}
	return c
}

// constantValue is the tensor of a Constant node's "value" attribute.
func constantValue(n *onnxpb.NodeProto) *onnxpb.TensorProto {
	a := n.GetAttribute()
	if len(a) != 1 || a[0].GetName() != "value" || a[0].GetType() != onnxpb.AttributeProto_TENSOR {
		return nil
	}
	return a[0].GetT()
}

func opNames(s onnxStep) string {
	var ops []string
	for op := range s.ops {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	return strings.Join(ops, " or ")
}

// transpose returns the transpose of a matrix.
func transpose(w *tensor.Tensor) *tensor.Tensor {
	r, c := w.Shape[0], w.Shape[1]
	t := make([]float32, len(w.Data))
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			t[j*r+i] = w.Data[i*c+j]
		}
	}
	out, _ := tensor.FromData(t, c, r)
	return out
}
