package weights

import (
	"fmt"
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

// mapGraph reads g as one of our architectures (onnxArchs): its nodes
// become layers (graphLayers), which are matched against each
// architecture's steps in turn. The first that matches gives the state
// dict, its tensors named after the modules that use them, with the
// Meta* keys in its Metadata; when none does, the error is that of the
// architecture that matched the most layers. caffe: an original graph
// with LRN bias 1 is in Caffe's layout (see result).
func mapGraph(g *onnxpb.GraphProto, src *initSource, opset int64, caffe bool) (*StateDict, error) {
	x, side, err := graphInput(g, src.inits)
	if err != nil {
		return nil, err
	}
	layers, last, err := graphLayers(g, x, src.inits, opset)
	if err != nil {
		return nil, err
	}
	if out := g.GetOutput(); len(out) != 1 || out[0].GetName() != last {
		return nil, &Error{Err: &GraphError{Msg: fmt.Sprintf("want one graph output, the value %q of the last node", last)}}
	}
	var best *archMatch
	var bestErr error
	for _, a := range onnxArchs {
		m := &archMatch{arch: a, src: src, sd: NewStateDict(), meta: map[string]string{}, chans: 3, side: side}
		err := m.match(layers)
		if err == nil {
			return m.result(side, caffe)
		}
		if best == nil || m.at > best.at {
			best, bestErr = m, err
		}
	}
	return nil, bestErr
}

// result finishes a match: the metadata, and for Caffe's layout (the
// original architecture with LRN bias 1, as the ONNX model zoo's
// bvlcalexnet, in a file that does not give its preprocessing: caffe)
// the first convolution's input channels reversed, so that the model
// takes RGB where the file's takes BGR.
func (m *archMatch) result(side int, caffe bool) (*StateDict, error) {
	m.meta[MetaArch] = m.arch.name
	if side != 0 {
		m.meta[MetaInputSize] = fmt.Sprint(side)
	}
	if m.rounding == "ceil" {
		m.meta[MetaPoolCeil] = "1"
	}
	if caffe && m.meta[MetaLRNBias] == "1" {
		m.meta[MetaLayout] = "caffe"
		w := m.sd.Get("features.0.weight")
		m.sd.Tensors["features.0.weight"] = reverseInputChannels(w)
	}
	m.sd.Metadata = m.meta
	return m.sd, nil
}

// reverseInputChannels returns a copy of the (O, C, K, K) weight w with
// its C axis reversed.
func reverseInputChannels(w *tensor.Tensor) *tensor.Tensor {
	out := tensor.New(w.Shape...)
	c, kk := w.Shape[1], w.Shape[2]*w.Shape[3]
	for o := 0; o < w.Shape[0]; o++ {
		for i := 0; i < c; i++ {
			copy(out.Data[(o*c+i)*kk:(o*c+i+1)*kk], w.Data[(o*c+c-1-i)*kk:(o*c+c-i)*kk])
		}
	}
	return out
}

// graphInput returns the name of g's one input that is not an
// initializer, and its spatial side when the shape declares a square
// one (0 when not declared): (N, 3, H, W), N and H = W free.
func graphInput(g *onnxpb.GraphProto, inits map[string]*onnxpb.TensorProto) (string, int, error) {
	var ins []*onnxpb.ValueInfoProto
	for _, v := range g.GetInput() {
		if inits[v.GetName()] == nil {
			ins = append(ins, v)
		}
	}
	if len(ins) != 1 {
		return "", 0, &Error{Err: &GraphError{Msg: fmt.Sprintf("%d graph inputs besides the initializers, want 1", len(ins))}}
	}
	sh := ins[0].GetType().GetTensorType().GetShape()
	if sh == nil {
		return ins[0].GetName(), 0, nil
	}
	dims := sh.GetDim()
	var s []string
	for _, d := range dims {
		if d.GetDimParam() != "" || d.GetDimValue() == 0 {
			s = append(s, "?")
		} else {
			s = append(s, fmt.Sprint(d.GetDimValue()))
		}
	}
	h, w := int64(0), int64(0)
	if len(dims) == 4 {
		h, w = dims[2].GetDimValue(), dims[3].GetDimValue()
	}
	if len(dims) != 4 || dims[1].GetDimValue() != 3 && dims[1].GetDimValue() != 0 || h != w || h < 0 || h > 1<<16 {
		return "", 0, &Error{Err: &GraphError{Msg: fmt.Sprintf("input %q is (%s), want (N, 3, H, H)", ins[0].GetName(), strings.Join(s, ", "))}}
	}
	return ins[0].GetName(), int(h), nil
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
