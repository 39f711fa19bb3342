package weights

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/alexnet-go/alexnet/weights/onnxpb"
)

const onnxFixture = "../testdata/onnx/tv_narrow_op17.onnx"

func readModelProto(t testing.TB) *onnxpb.ModelProto {
	t.Helper()
	return readModelFile(t, onnxFixture)
}

// readModelFile decodes the ONNX model at path.
func readModelFile(t testing.TB, path string) *onnxpb.ModelProto {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m onnxpb.ModelProto
	if err := proto.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

func readONNXProto(t testing.TB, m *onnxpb.ModelProto) (*StateDict, error) {
	t.Helper()
	b := marshal(t, m)
	return ReadONNX(bytes.NewReader(b), int64(len(b)), nil)
}

// marshal is m's encoding.
func marshal(t testing.TB, m *onnxpb.ModelProto) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func node(m *onnxpb.ModelProto, name string) *onnxpb.NodeProto {
	for _, n := range m.Graph.Node {
		if n.GetName() == name {
			return n
		}
	}
	panic("no node " + name)
}

func setInts(n *onnxpb.NodeProto, name string, v ...int64) {
	for _, a := range n.Attribute {
		if a.GetName() == name {
			a.Ints, a.I = v, nil
			if a.GetType() == onnxpb.AttributeProto_INT {
				a.I = proto.Int64(v[0])
			}
			return
		}
	}
	typ := onnxpb.AttributeProto_INTS
	n.Attribute = append(n.Attribute, &onnxpb.AttributeProto{Name: proto.String(name), Type: &typ, Ints: v})
}

// setInt sets (or adds) n's INT attribute name to v.
func setInt(n *onnxpb.NodeProto, name string, v int64) {
	typ := onnxpb.AttributeProto_INT
	for _, a := range n.Attribute {
		if a.GetName() == name {
			a.Ints, a.I, a.Type = nil, proto.Int64(v), &typ
			return
		}
	}
	n.Attribute = append(n.Attribute, &onnxpb.AttributeProto{Name: proto.String(name), Type: &typ, I: proto.Int64(v)})
}

// insertAfter puts n after the node called before, on the chain.
func insertAfter(m *onnxpb.ModelProto, before string, n *onnxpb.NodeProto) {
	for i, b := range m.Graph.Node {
		if b.GetName() != before {
			continue
		}
		out := b.Output[0]
		n.Input, n.Output = []string{out}, []string{out + "_inserted"}
		if i+1 < len(m.Graph.Node) {
			m.Graph.Node[i+1].Input[0] = out + "_inserted"
		}
		m.Graph.Node = append(m.Graph.Node[:i+1], append([]*onnxpb.NodeProto{n}, m.Graph.Node[i+1:]...)...)
		return
	}
	panic("no node " + before)
}

// wantGraphError checks that err is a *GraphError about node and op whose
// message contains msg.
func wantGraphError(t *testing.T, err error, node, op, msg string) {
	t.Helper()
	var ge *GraphError
	if !errors.As(err, &ge) || ge.Node != node || ge.Op != op || !strings.Contains(ge.Msg, msg) {
		t.Fatalf("got %v, want a GraphError on node %q (%s) saying %q", err, node, op, msg)
	}
	t.Log(err)
}

func TestONNXRefusesGraphs(t *testing.T) {
	for _, c := range []struct {
		name           string
		edit           func(*onnxpb.ModelProto)
		node, op, want string
	}{
		{"LeakyRelu", func(m *onnxpb.ModelProto) { node(m, "/features/features.4/Relu").OpType = proto.String("LeakyRelu") },
			"/features/features.4/Relu", "LeakyRelu", "no layer of ours computes LeakyRelu"},
		{"Sigmoid", func(m *onnxpb.ModelProto) {
			insertAfter(m, "/classifier/classifier.6/Gemm", &onnxpb.NodeProto{Name: proto.String("sig"), OpType: proto.String("Sigmoid")})
			m.Graph.Output[0].Name = proto.String("logits_inserted")
		}, "sig", "Sigmoid", "no layer of ours computes Sigmoid"},
		{"after the last layer", func(m *onnxpb.ModelProto) {
			insertAfter(m, "/classifier/classifier.6/Gemm", &onnxpb.NodeProto{Name: proto.String("relu"), OpType: proto.String("Relu")})
			m.Graph.Output[0].Name = proto.String("logits_inserted")
		}, "relu", "Relu", "after classifier.6"},
		{"dilations", func(m *onnxpb.ModelProto) { setInts(node(m, "/features/features.3/Conv"), "dilations", 2, 2) },
			"/features/features.3/Conv", "Conv", "dilations = [2 2], our layers compute [1 1]"},
		{"group", func(m *onnxpb.ModelProto) { setInts(node(m, "/features/features.6/Conv"), "group", 2) },
			"/features/features.6/Conv", "Conv", "group 2, our layer has kernel 3 stride 1 padding 1 group 1 (torchvision's features.6)"},
		{"end pads, unknown size", func(m *onnxpb.ModelProto) {
			setInts(node(m, "/features/features.5/MaxPool"), "pads", 0, 0, 1, 1)
			for _, d := range m.Graph.Input[0].Type.GetTensorType().Shape.Dim[2:] {
				d.Value = &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: "side"}
			}
		}, "/features/features.5/MaxPool", "MaxPool", "padding at the end on a map of unknown size"},
		{"pads past the window", func(m *onnxpb.ModelProto) { setInts(node(m, "/features/features.2/MaxPool"), "pads", 0, 0, 3, 3) },
			"/features/features.2/MaxPool", "MaxPool", "pads = [0 0 3 3]"},
		{"begin pads", func(m *onnxpb.ModelProto) { setInts(node(m, "/features/features.2/MaxPool"), "pads", 1, 1, 0, 0) },
			"/features/features.2/MaxPool", "MaxPool", "pads = [1 1 0 0]"},
		{"ints for an int", func(m *onnxpb.ModelProto) {
			typ := onnxpb.AttributeProto_INTS
			n := node(m, "/features/features.5/MaxPool")
			n.Attribute = append(n.Attribute, &onnxpb.AttributeProto{Name: proto.String("storage_order"), Type: &typ, Ints: []int64{0}})
		},
			"/features/features.5/MaxPool", "MaxPool", "attribute storage_order has type INTS, want INT"},
		{"stride absent", func(m *onnxpb.ModelProto) {
			n := node(m, "/features/features.0/Conv")
			for i, a := range n.Attribute {
				if a.GetName() == "strides" {
					n.Attribute = append(n.Attribute[:i], n.Attribute[i+1:]...)
					break
				}
			}
		}, "/features/features.0/Conv", "Conv", "kernel 11 stride 1 padding 2 group 1, our layer has kernel 11 stride 4"},
		{"transA", func(m *onnxpb.ModelProto) { setInt(node(m, "/classifier/classifier.4/Gemm"), "transA", 1) },
			"/classifier/classifier.4/Gemm", "Gemm", "transA"},
		{"branch", func(m *onnxpb.ModelProto) {
			node(m, "/features/features.7/Relu").Input[0] = "/features/features.4/Relu_output_0"
		}, "/features/features.7/Relu", "Relu", "only a chain"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := readModelProto(t)
			c.edit(m)
			_, err := readONNXProto(t, m)
			wantGraphError(t, err, c.node, c.op, c.want)
		})
	}
}

// TestONNXInitializersByUse: names come from the nodes, not from the
// initializers; a dropped avgpool and inserted Dropout/Identity nodes
// change nothing.
func TestONNXInitializersByUse(t *testing.T) {
	want, err := Load(onnxFixture, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := readModelProto(t)
	rename := map[string]string{}
	for i, init := range m.Graph.Initializer {
		rename[init.GetName()] = "p" + string(rune('a'+i))
		init.Name = proto.String(rename[init.GetName()])
	}
	for _, n := range m.Graph.Node {
		for i, in := range n.Input {
			if r, ok := rename[in]; ok {
				n.Input[i] = r
			}
		}
	}
	insertAfter(m, "/classifier/classifier.2/Relu", &onnxpb.NodeProto{Name: proto.String("drop"), OpType: proto.String("Dropout")})
	insertAfter(m, "/features/features.1/Relu", &onnxpb.NodeProto{Name: proto.String("id"), OpType: proto.String("Identity")})
	for i, n := range m.Graph.Node {
		if n.GetOpType() == "AveragePool" {
			m.Graph.Node[i+1].Input[0] = n.Input[0]
			m.Graph.Node = append(m.Graph.Node[:i], m.Graph.Node[i+1:]...)
			break
		}
	}
	got, err := readONNXProto(t, m)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.Names, " ") != strings.Join(want.Names, " ") {
		t.Fatalf("names %v, want %v", got.Names, want.Names)
	}
	for _, name := range want.Names {
		g, w := got.Get(name), want.Get(name)
		if !slicesEqual(g.Data, w.Data) {
			t.Errorf("%s differs", name)
		}
	}
}

// slicesEqual reports whether a and b hold the same float32 bits (a NaN
// equals itself).
func slicesEqual(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// wantTensorError checks that err is an *Error on tensor name whose Err
// is of the type of target and says msg.
func wantTensorError(t *testing.T, err error, name string, target any, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Tensor != name || !errors.As(err, target) || !strings.Contains(err.Error(), msg) {
		t.Fatalf("got %v, want a %T on tensor %q saying %q", err, target, name, msg)
	}
	t.Log(err)
}

func TestONNXRefusesTensors(t *testing.T) {
	m := readModelProto(t)
	m.Graph.Initializer[1].Dims = []int64{9} // features.0.bias holds 8 floats
	_, err := readONNXProto(t, m)
	var fe FormatError
	wantTensorError(t, err, "features.0.bias", &fe, "claim 9 floats, the file holds 8")

	m = readModelProto(t)
	f16 := int32(onnxpb.TensorProto_FLOAT16)
	m.Graph.Initializer[2].DataType = &f16
	_, err = readONNXProto(t, m)
	var ue UnsupportedError
	wantTensorError(t, err, "features.3.weight", &ue, "FLOAT16")

	m = readModelProto(t)
	ext := onnxpb.TensorProto_EXTERNAL
	m.Graph.Initializer[0].DataLocation = &ext
	m.Graph.Initializer[0].RawData = nil
	_, err = readONNXProto(t, m)
	wantTensorError(t, err, "features.0.weight", &ue, "external data")
}

// TestONNXExternalData reads tv_narrow_ext_op13.onnx, whose tensors are
// in the .onnx.data file beside it, as the same tensors as the model with
// them inside, and refuses locations outside the model's folder, lengths
// that disagree with the dims and claims past the data file's end, before
// allocating.
func TestONNXExternalData(t *testing.T) {
	want, err := Load(onnxFixture, nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(filepath.Dir(onnxFixture), "tv_narrow_ext_op13.onnx")
	got, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range want.Names {
		if !slicesEqual(got.Get(name).Data, want.Get(name).Data) {
			t.Errorf("%s differs", name)
		}
	}
	for _, c := range []struct{ key, value, msg string }{
		{"location", "../onnx/tv_narrow_ext_op13.onnx.data", "not a file in the model's folder"},
		{"location", "/etc/passwd", "not a file in the model's folder"},
		{"length", "12", "the dims need"},
		{"offset", "999999999", "claims"},
		{"offset", "-4", "offset"},
	} {
		m := readModelFile(t, path)
		init := m.Graph.Initializer[0]
		set := false
		for _, kv := range init.ExternalData {
			if kv.GetKey() == c.key {
				kv.Value, set = proto.String(c.value), true
			}
		}
		if !set {
			init.ExternalData = append(init.ExternalData, &onnxpb.StringStringEntryProto{Key: proto.String(c.key), Value: proto.String(c.value)})
		}
		b := marshal(t, m)
		data, err := os.ReadFile(path + ".data")
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(path)+".data"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "m.onnx"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err = Load(filepath.Join(dir, "m.onnx"), nil)
		var fe FormatError
		wantTensorError(t, err, "features.0.weight", &fe, c.msg)
	}
}

// hugeClaim is a 1 KB model whose first Conv weight claims 2^29 floats
// (2 GiB) and holds 4 bytes.
func hugeClaim(t testing.TB) []byte {
	m := readModelProto(t)
	m.Graph.Initializer = m.Graph.Initializer[:2]
	m.Graph.Initializer[0].Dims = []int64{1 << 20, 1 << 9}
	m.Graph.Initializer[0].RawData = []byte{0, 0, 0, 0}
	m.Graph.Initializer[1].RawData = m.Graph.Initializer[1].RawData[:4]
	m.Graph.Initializer[1].Dims = []int64{1}
	return marshal(t, m)
}

func TestONNXHugeClaim(t *testing.T) {
	b := hugeClaim(t)
	if len(b) > 8<<10 {
		t.Fatalf("model is %d bytes", len(b))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := ReadONNX(bytes.NewReader(b), int64(len(b)), nil)
	runtime.ReadMemStats(&after)
	var fe FormatError
	wantTensorError(t, err, "features.0.weight", &fe, "claim 536870912 floats, the file holds 1")
	if d := after.TotalAlloc - before.TotalAlloc; d > 1<<20 {
		t.Errorf("allocated %d bytes reading a %d-byte file", d, len(b))
	}
}

func TestONNXTruncated(t *testing.T) {
	b, err := os.ReadFile(onnxFixture)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 1, 100, len(b) / 2, len(b) - 1} {
		p := filepath.Join(t.TempDir(), "cut.onnx")
		if err := os.WriteFile(p, b[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(p, nil)
		var e *Error
		if !errors.As(err, &e) || e.File != p {
			t.Fatalf("%d bytes: got %v, want an *Error naming the file", n, err)
		}
	}
}

// TestLoadSniffsONNX: a .onnx file under another name is told by its
// first byte.
func TestLoadSniffsONNX(t *testing.T) {
	b, err := os.ReadFile(onnxFixture)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "model.bin")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(p, nil); err != nil {
		t.Fatal(err)
	}
}

// tinyONNX is the fixture's graph at width 1 (every convolution and
// linear layer with one output): a valid model of a few KB, the seed
// FuzzONNX mutates fastest.
func tinyONNX(t testing.TB) []byte {
	m := readModelProto(t)
	for _, init := range m.Graph.Initializer {
		d := init.Dims
		switch len(d) {
		case 4:
			if d[1] != 3 {
				d[1] = 1
			}
			d[0] = 1
		case 2:
			if d[1] > 32 {
				d[1] = 36 // features.10 has one channel: 1×6×6 after flatten
			} else {
				d[1] = 1
			}
			d[0] = 1
		case 1:
			d[0] = 1
		}
		n := int64(4)
		for _, v := range d {
			n *= v
		}
		init.RawData = init.RawData[:n]
	}
	return marshal(t, m)
}

func TestONNXTiny(t *testing.T) {
	b := tinyONNX(t)
	sd, err := ReadONNX(bytes.NewReader(b), int64(len(b)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if w := sd.Get("classifier.1.weight"); len(b) > 8<<10 || len(sd.Names) != 16 || w.Shape[1] != 36 {
		t.Fatalf("%d bytes, %d tensors, classifier.1.weight %v", len(b), len(sd.Names), w.Shape)
	}
}

// TestONNXCaffeLayout: the zoo's bvlcalexnet layout is read as the
// original architecture with Caffe's LRN bias and preprocessing, conv1's
// input channels reversed (BGR to RGB) and the Softmax noted; the same
// graph declared at 224×224 is refused where the map falls short of 6×6.
func TestONNXCaffeLayout(t *testing.T) {
	path := "../testdata/onnx/caffe_narrow_op12.onnx"
	sd, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{MetaArch: "original", MetaLayout: "caffe", MetaLRNBias: "1", MetaOutput: "softmax", MetaInputSize: "227", MetaOpset: "12"}
	for k, v := range want {
		if sd.Metadata[k] != v {
			t.Errorf("metadata %s = %q, want %q", k, sd.Metadata[k], v)
		}
	}
	m := readModelFile(t, path)
	var w1 *onnxpb.TensorProto
	for _, init := range m.Graph.Initializer {
		if init.GetName() == "conv1_w_0" {
			w1 = init
		}
	}
	file, err := onnxTensor(w1, new(int64(1<<20)), "")
	if err != nil {
		t.Fatal(err)
	}
	got := sd.Get("features.0.weight")
	kk := 11 * 11
	for o := 0; o < 8; o++ {
		for c := 0; c < 3; c++ {
			if !slicesEqual(got.Data[(o*3+c)*kk:(o*3+c+1)*kk], file.Data[(o*3+2-c)*kk:(o*3+3-c)*kk]) {
				t.Fatalf("features.0.weight[%d, %d] is not conv1_w_0[%d, %d]", o, c, o, 2-c)
			}
		}
	}
	for _, d := range m.Graph.Input[0].Type.GetTensorType().Shape.Dim[2:] {
		d.Value = &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: 224}
	}
	_, err = readONNXProto(t, m)
	wantGraphError(t, err, "OC2_DUMMY_0", "Reshape", "the map is 5×5 here; our avgpool makes it 6×6")
}
