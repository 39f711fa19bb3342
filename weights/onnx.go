package weights

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"google.golang.org/protobuf/proto"

	"github.com/alexnet-go/alexnet/tensor"
	"github.com/alexnet-go/alexnet/weights/onnxpb"
)

// maxONNXSize bounds the .onnx files ReadONNX reads into memory: 2 GiB,
// protobuf's own limit on a message (larger models keep their tensors in
// external data files).
const maxONNXSize = 1 << 31

// ReadONNX reads an ONNX model (onnx.proto, ModelProto, IR version 3 and
// later, opsets 7 to 21) whose graph is one of our architectures, and
// returns its parameters keyed by torchvision's names
// ("features.0.weight"), with what the graph says beyond them in
// Metadata (MetaArch, MetaInputSize, MetaLRNBias, MetaPoolCeil,
// MetaLayout, MetaOutput, MetaOpset, and MetaMean and MetaStd from
// metadata_props).
//
// The graph must be a chain of nodes from its one input (N, 3, H, H) to
// its one output. Conv, Relu, LRN, MaxPool, AveragePool,
// GlobalAveragePool, BatchNormalization, Flatten, Reshape, Gemm, MatMul
// then Add, Softmax, Dropout, Identity and Constant nodes become layers
// (graphLayers), which are matched against each architecture's modules
// (onnxArchs): torch.onnx.export's torchvision AlexNet, the ONNX model
// zoo's bvlcalexnet (Caffe's layout), and our own export of any of them.
// The names come from where each initializer is used, not from the
// initializers' own names. A node our layers cannot compute is refused
// with a *GraphError naming it, its op type and why. Initializers must be
// FLOAT, in raw_data (little-endian), float_data or an external data
// file in opt.ONNXDir (Load sets it to the model's folder). Every
// declared size is checked against the bytes present before anything is
// allocated. Errors are *Error values.
func ReadONNX(r io.ReaderAt, size int64, opt *Options) (*StateDict, error) {
	if size < 0 || size > maxONNXSize {
		return nil, errorf("onnx: file of %d bytes is over the %d-byte limit", size, int64(maxONNXSize))
	}
	buf := make([]byte, size)
	if n, err := r.ReadAt(buf, 0); n != len(buf) {
		return nil, &Error{Err: fmt.Errorf("onnx: reading %d bytes: %w", size, err)}
	}
	var m onnxpb.ModelProto
	if err := proto.Unmarshal(buf, &m); err != nil {
		return nil, errorf("onnx: not a ModelProto: %v", err)
	}
	opset, err := checkOpset(&m)
	if err != nil {
		return nil, err
	}
	g := m.GetGraph()
	if g == nil {
		return nil, errorf("onnx: model has no graph")
	}
	src := &initSource{inits: map[string]*onnxpb.TensorProto{}, budget: opt.maxElements(), loaded: map[string]*tensor.Tensor{}, dir: opt.onnxDir()}
	for _, t := range g.GetInitializer() {
		if _, dup := src.inits[t.GetName()]; dup {
			return nil, tensorErr(t.GetName(), FormatError("onnx: duplicate initializer"))
		}
		src.inits[t.GetName()] = t
	}
	props := map[string]string{}
	for _, kv := range m.GetMetadataProps() {
		if k := kv.GetKey(); k == MetaMean || k == MetaStd {
			if _, ok := ParseFloats3(kv.GetValue()); !ok {
				return nil, errorf("onnx: metadata %s = %q is not three numbers", k, kv.GetValue())
			}
			props[k] = kv.GetValue()
		}
	}
	sd, err := mapGraph(g, src, opset, props[MetaMean] == "")
	if err != nil {
		return nil, err
	}
	maps.Copy(sd.Metadata, props)
	sd.Metadata[MetaOpset] = fmt.Sprint(opset)
	return sd, nil
}

// checkOpset refuses models whose default-domain opset is outside 7..21,
// the opsets whose Conv, MaxPool, AveragePool, Flatten, Reshape, Gemm,
// Relu, Dropout and Identity compute what mapTorchvision assumes.
func checkOpset(m *onnxpb.ModelProto) (int64, error) {
	for _, o := range m.GetOpsetImport() {
		if d := o.GetDomain(); d != "" && d != "ai.onnx" {
			continue
		}
		if v := o.GetVersion(); v < 7 || v > 21 {
			return 0, &Error{Err: UnsupportedError(fmt.Sprintf("onnx opset %d (want 7 to 21)", v))}
		}
		return o.GetVersion(), nil
	}
	return 0, errorf("onnx: model imports no opset of the default domain")
}

// onnxTensor converts a FLOAT TensorProto (onnx.proto, TensorProto: dims,
// then the values in row-major order in raw_data, little-endian, or in
// float_data, or in an external data file in folder dir) to a tensor,
// taking its element count from *budget. The declared dims are checked
// against the bytes present before anything is allocated, so a huge claim
// in a small file costs nothing.
func onnxTensor(t *onnxpb.TensorProto, budget *int64, dir string) (*tensor.Tensor, error) {
	if dt := onnxpb.TensorProto_DataType(t.GetDataType()); dt != onnxpb.TensorProto_FLOAT {
		return nil, UnsupportedError(fmt.Sprintf("onnx data type %v (only FLOAT is read)", dt))
	}
	if t.GetSegment() != nil {
		return nil, UnsupportedError("onnx segmented tensor")
	}
	n := int64(1)
	shape := make([]int, len(t.GetDims()))
	for i, d := range t.GetDims() {
		if d < 0 || d > math.MaxInt32 {
			return nil, FormatError(fmt.Sprintf("onnx: dimension %d is %d", i, d))
		}
		if d > 0 && n > math.MaxInt64/4/d {
			return nil, FormatError(fmt.Sprintf("onnx: dims %v overflow", t.GetDims()))
		}
		n *= d
		shape[i] = int(d)
	}
	if n > *budget {
		return nil, FormatError(fmt.Sprintf("onnx: %d elements are over the limit of %d left", n, *budget))
	}
	raw, fl := t.GetRawData(), t.GetFloatData()
	if t.GetDataLocation() == onnxpb.TensorProto_EXTERNAL {
		if t.RawData != nil || fl != nil {
			return nil, FormatError("onnx: external data and data in the file")
		}
		var err error
		if raw, err = externalData(dir, t, 4*n); err != nil {
			return nil, err
		}
		t = &onnxpb.TensorProto{RawData: raw}
	}
	switch {
	case t.RawData != nil && fl != nil:
		return nil, FormatError("onnx: both raw_data and float_data are set")
	case t.RawData != nil && int64(len(raw)) != 4*n || t.RawData == nil && int64(len(fl)) != n:
		have := int64(len(fl))
		if t.RawData != nil {
			have = int64(len(raw)) / 4
		}
		return nil, FormatError(fmt.Sprintf("onnx: dims %v claim %d floats, the file holds %d", shape, n, have))
	}
	*budget -= n
	data := make([]float32, n)
	if t.RawData != nil {
		for i := range data {
			data[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
	} else {
		copy(data, fl)
	}
	return tensor.FromData(data, shape...)
}

// externalData reads the size bytes of a tensor kept in another file
// (onnx.proto's external_data: location, a path relative to the model's
// folder dir; offset; length), checking the claim against the file
// before allocating.
func externalData(dir string, t *onnxpb.TensorProto, size int64) ([]byte, error) {
	if dir == "" {
		return nil, UnsupportedError("onnx external data (the model was not read from a file, so there is no folder to find it in)")
	}
	kv := map[string]string{}
	for _, e := range t.GetExternalData() {
		kv[e.GetKey()] = e.GetValue()
	}
	loc := kv["location"]
	if !filepath.IsLocal(loc) {
		return nil, FormatError(fmt.Sprintf("onnx: external data location %q is not a file in the model's folder", loc))
	}
	offset, err := strconv.ParseInt(cmp.Or(kv["offset"], "0"), 10, 64)
	if err != nil || offset < 0 {
		return nil, FormatError(fmt.Sprintf("onnx: external data offset %q", kv["offset"]))
	}
	if l, ok := kv["length"]; ok && l != strconv.FormatInt(size, 10) {
		return nil, FormatError(fmt.Sprintf("onnx: external data length %s, the dims need %d bytes", l, size))
	}
	f, err := os.Open(filepath.Join(dir, loc))
	if err != nil {
		return nil, FormatError(fmt.Sprintf("onnx: external data: %v", err))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, FormatError(fmt.Sprintf("onnx: external data: %v", err))
	}
	if offset > fi.Size() || size > fi.Size()-offset {
		return nil, FormatError(fmt.Sprintf("onnx: external data claims %d bytes at offset %d of %s, which holds %d", size, offset, loc, fi.Size()))
	}
	buf := make([]byte, size)
	if _, err := f.ReadAt(buf, offset); err != nil {
		return nil, FormatError(fmt.Sprintf("onnx: external data %s: %v", loc, err))
	}
	return buf, nil
}

// onnxInt64s returns the values of an INT64 TensorProto (raw_data or
// int64_data) of at most 8 elements: the shape input of a Reshape.
func onnxInt64s(t *onnxpb.TensorProto) ([]int64, error) {
	if onnxpb.TensorProto_DataType(t.GetDataType()) != onnxpb.TensorProto_INT64 {
		return nil, FormatError(fmt.Sprintf("onnx: data type %v, want INT64", onnxpb.TensorProto_DataType(t.GetDataType())))
	}
	if t.RawData == nil {
		if len(t.GetInt64Data()) > 8 {
			return nil, FormatError("onnx: more than 8 values")
		}
		return t.GetInt64Data(), nil
	}
	raw := t.GetRawData()
	if len(raw)%8 != 0 || len(raw) > 64 {
		return nil, FormatError(fmt.Sprintf("onnx: %d bytes of raw_data for INT64 values", len(raw)))
	}
	v := make([]int64, len(raw)/8)
	for i := range v {
		v[i] = int64(binary.LittleEndian.Uint64(raw[8*i:]))
	}
	return v, nil
}
