package weights

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/alexnet-go/alexnet/weights/onnxpb"
)

// ONNXExport describes the model WriteONNX writes beyond its tensors.
type ONNXExport struct {
	Arch      string     // "torchvision", "original", "tiny" or "tiny-bn"
	InputSize int        // the input side; 0: the architecture's (224, 227, 64)
	LRNBias   float32    // the original architecture's LRN k; 0: 2
	CeilPool  bool       // the max pools round up (ceil_mode 1)
	Mean, Std [3]float32 // the Normalize of the model's preprocessing (metadata)
	// Int8, when set, makes the export int8 in ONNX's QDQ format: every
	// convolution and linear layer, by module name ("features.0"), with
	// batch norms folded in (tiny-bn's are left out); sd is then unused.
	Int8 map[string]QDQLayer
}

// Preprocessing metadata keys: ONNX files WriteONNX writes carry them in
// metadata_props, and ReadONNX returns them in the state dict's Metadata.
const (
	MetaMean = "alexnet.mean" // Normalize's mean, "r,g,b"
	MetaStd  = "alexnet.std"  // Normalize's std, "r,g,b"
)

// onnxExportOpset is the opset WriteONNX writes: every op it uses is
// defined there as the model computes it (Conv 11, Relu 13, LRN 13,
// MaxPool 12, BatchNormalization 9, Flatten 13, Gemm 13).
const onnxExportOpset = 13

// WriteONNX writes sd, the state dict of architecture e.Arch, as an ONNX
// model (IR version 7, opset 13) that ONNX Runtime and ReadONNX run as
// our forward pass does: input "input" (batch, 3, S, S) with a dynamic
// batch, output "logits" (batch, classes); Conv with its group, Relu,
// LRN, MaxPool, BatchNormalization (tiny-bn), Flatten and Gemm
// (transB 1) nodes named after our modules, initializers named as sd's
// tensors, raw little-endian float32. The adaptive average pool is the
// identity at S (the map before it is already the pool's size), so it is
// left out; S must be a size where that holds, the architecture's own by
// default. metadata_props record the architecture, S, the LRN bias and
// the preprocessing's mean and std.
func WriteONNX(w io.Writer, sd *StateDict, e ONNXExport) error {
	a, ok := archByName(e.Arch)
	if !ok {
		return errorf("onnx export: unknown architecture %q", e.Arch)
	}
	side := e.InputSize
	if side == 0 {
		side = a.side
	}
	b := &graphBuilder{sd: sd, x: "input", side: side, lrnBias: e.LRNBias, int8: e.Int8, ceil: e.CeilPool}
	if b.lrnBias == 0 {
		b.lrnBias = 2
	}
	for _, st := range a.steps {
		if st.optional || st.kind == kindBN && e.Int8 != nil {
			continue
		}
		if err := b.step(a, st); err != nil {
			return &Error{Err: fmt.Errorf("onnx export of %s: %w", e.Arch, err)}
		}
	}
	classes := b.classes
	props := map[string]string{
		MetaArch: e.Arch, MetaInputSize: strconv.Itoa(side), MetaLRNBias: formatFloat(b.lrnBias),
		MetaMean: formatFloats(e.Mean), MetaStd: formatFloats(e.Std),
	}
	if e.Int8 != nil {
		props["alexnet.precision"] = "int8"
	}
	m := &onnxpb.ModelProto{
		IrVersion:    proto.Int64(7),
		ProducerName: proto.String("alexnet-go"),
		OpsetImport:  []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(onnxExportOpset)}},
		Graph: &onnxpb.GraphProto{
			Name:        proto.String("alexnet"),
			Node:        b.nodes,
			Initializer: b.inits,
			Input:       []*onnxpb.ValueInfoProto{valueInfo("input", "batch", 3, int64(side), int64(side))},
			Output:      []*onnxpb.ValueInfoProto{valueInfo(b.x, "batch", int64(classes))},
		},
		MetadataProps: metaProps(props),
	}
	out, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		return &Error{Err: err}
	}
	_, err = w.Write(out)
	return err
}

// graphBuilder appends an architecture's nodes and initializers.
type graphBuilder struct {
	sd      *StateDict
	nodes   []*onnxpb.NodeProto
	inits   []*onnxpb.TensorProto
	x       string // the value the next node takes
	side    int    // its spatial side
	lrnBias float32
	int8    map[string]QDQLayer // ONNXExport.Int8
	ceil    bool                // ONNXExport.CeilPool
	classes int                 // the last linear layer's outputs
}

func (b *graphBuilder) step(a onnxArch, st archStep) error {
	var at []*onnxpb.AttributeProto
	var params []string
	switch st.kind {
	case kindConv:
		k := int64(st.k)
		at = []*onnxpb.AttributeProto{intsAttr("kernel_shape", k, k), intsAttr("strides", int64(st.s), int64(st.s)),
			intsAttr("pads", int64(st.p), int64(st.p), int64(st.p), int64(st.p)), intsAttr("dilations", 1, 1), intAttr("group", int64(st.g))}
		params = []string{"weight", "bias"}
		b.side = pooled(b.side, st.k, st.s, st.p)
	case kindMaxPool:
		at = []*onnxpb.AttributeProto{intsAttr("kernel_shape", 3, 3), intsAttr("strides", 2, 2), intsAttr("pads", 0, 0, 0, 0)}
		if b.ceil {
			at = append(at, intAttr("ceil_mode", 1))
			if r := (b.side - st.k) % st.s; b.side >= st.k && r > 0 {
				b.side += st.s - r // the last window, past the end
			}
		}
		b.side = pooled(b.side, st.k, st.s, 0)
	case kindLRN:
		at = []*onnxpb.AttributeProto{intAttr("size", lrnSize), floatAttr("alpha", lrnAlpha), floatAttr("beta", lrnBeta), floatAttr("bias", b.lrnBias)}
	case kindBN:
		at = []*onnxpb.AttributeProto{floatAttr("epsilon", 1e-5)}
		params = bnNames
	case kindFlatten:
		if b.side != a.pool {
			return fmt.Errorf("the input size gives a %d×%d map before the average pool; the graph needs %d×%d (use the architecture's input size)", b.side, b.side, a.pool, a.pool)
		}
		at = []*onnxpb.AttributeProto{intAttr("axis", 1)}
	case kindLinear:
		at = []*onnxpb.AttributeProto{intAttr("transB", 1)}
		params = []string{"weight", "bias"}
	}
	in := []string{b.x}
	if q, ok := b.int8[st.module]; ok && params != nil {
		qin, err := b.qdqLinear(st.module, q)
		if err != nil {
			return err
		}
		in, b.classes = qin, q.Shape[0]
	} else if params != nil && b.int8 != nil {
		return fmt.Errorf("no int8 layer %s", st.module)
	}
	for _, p := range params {
		if b.int8 != nil {
			break
		}
		name := st.module + "." + p
		t := b.sd.Get(name)
		if t == nil {
			return fmt.Errorf("no tensor %s", name)
		}
		b.addInit(name, onnxpb.TensorProto_FLOAT, t.Shape, f32Bytes(t.Data))
		in = append(in, name)
		b.classes = t.Shape[0]
	}
	out := st.module
	if st.kind == kindLinear && st.module == "classifier.6" {
		out = "logits"
	}
	op := st.kind.String()
	b.addNode(st.module+"/"+op, op, in, out, at...)
	b.x = out
	return nil
}

// valueInfo is a FLOAT tensor's ValueInfoProto; a string dim is symbolic.
func valueInfo(name string, dims ...any) *onnxpb.ValueInfoProto {
	sh := &onnxpb.TensorShapeProto{}
	for _, d := range dims {
		dim := &onnxpb.TensorShapeProto_Dimension{}
		switch v := d.(type) {
		case string:
			dim.Value = &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: v}
		case int64:
			dim.Value = &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: v}
		}
		sh.Dim = append(sh.Dim, dim)
	}
	return &onnxpb.ValueInfoProto{Name: proto.String(name), Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{
		TensorType: &onnxpb.TypeProto_Tensor{ElemType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)), Shape: sh}}}}
}

func intAttr(name string, v int64) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_INT.Enum(), I: proto.Int64(v)}
}

func intsAttr(name string, v ...int64) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_INTS.Enum(), Ints: v}
}

func floatAttr(name string, v float32) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_FLOAT.Enum(), F: proto.Float32(v)}
}

// metaProps are kv's entries as metadata_props, sorted by key.
func metaProps(kv map[string]string) []*onnxpb.StringStringEntryProto {
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []*onnxpb.StringStringEntryProto
	for _, k := range keys {
		out = append(out, &onnxpb.StringStringEntryProto{Key: proto.String(k), Value: proto.String(kv[k])})
	}
	return out
}

func formatFloat(v float32) string { return strconv.FormatFloat(float64(v), 'g', -1, 32) }

func formatFloats(v [3]float32) string {
	return strings.Join([]string{formatFloat(v[0]), formatFloat(v[1]), formatFloat(v[2])}, ",")
}

// ParseFloats3 parses "a,b,c" as formatFloats writes it.
func ParseFloats3(s string) ([3]float32, bool) {
	var out [3]float32
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return out, false
	}
	for i, p := range parts {
		v, err := strconv.ParseFloat(p, 32)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return out, false
		}
		out[i] = float32(v)
	}
	return out, true
}
