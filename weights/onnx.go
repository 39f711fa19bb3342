package weights

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"google.golang.org/protobuf/proto"

	"github.com/alexnet-go/alexnet/tensor"
	"github.com/alexnet-go/alexnet/weights/onnxpb"
)

// maxONNXSize bounds the .onnx files ReadONNX reads into memory: 2 GiB,
// protobuf's own limit on a message (larger models keep their tensors in
// external data files).
const maxONNXSize = 1 << 31

// ReadONNX reads an ONNX model (onnx.proto, ModelProto, IR version 3 and
// later) holding torchvision's AlexNet as torch.onnx.export writes it, and
// returns its parameters keyed by torchvision's names ("features.0.weight").
// The names come from where each initializer is used in the graph (see
// mapTorchvision), not from the initializers' own names, and a graph our
// layers cannot compute is refused with a *GraphError. Initializers must be
// FLOAT, held in raw_data (little-endian) or float_data; external data is
// not read yet. Errors are *Error values.
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
	src := &initSource{inits: map[string]*onnxpb.TensorProto{}, budget: opt.maxElements(), loaded: map[string]*tensor.Tensor{}}
	for _, t := range g.GetInitializer() {
		if _, dup := src.inits[t.GetName()]; dup {
			return nil, tensorErr(t.GetName(), FormatError("onnx: duplicate initializer"))
		}
		src.inits[t.GetName()] = t
	}
	sd, err := mapGraph(g, src, opset)
	if err != nil {
		return nil, err
	}
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
// float_data) to a tensor, taking its element count from *budget. The
// declared dims are checked against the bytes present before anything is
// allocated, so a huge claim in a small file costs nothing.
func onnxTensor(t *onnxpb.TensorProto, budget *int64) (*tensor.Tensor, error) {
	if t.GetDataLocation() == onnxpb.TensorProto_EXTERNAL {
		return nil, UnsupportedError("onnx external data (the tensor lives in another file)")
	}
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
		if d > 0 && n > math.MaxInt64/d {
			return nil, FormatError(fmt.Sprintf("onnx: dims %v overflow", t.GetDims()))
		}
		n *= d
		shape[i] = int(d)
	}
	raw, fl := t.GetRawData(), t.GetFloatData()
	switch {
	case t.RawData != nil && fl != nil:
		return nil, FormatError("onnx: both raw_data and float_data are set")
	case t.RawData != nil && int64(len(raw)) != 4*n || t.RawData == nil && int64(len(fl)) != n:
		have := int64(len(fl))
		if t.RawData != nil {
			have = int64(len(raw)) / 4
		}
		return nil, FormatError(fmt.Sprintf("onnx: dims %v claim %d floats, the file holds %d", t.GetDims(), n, have))
	case n > *budget:
		return nil, FormatError(fmt.Sprintf("onnx: %d elements are over the limit of %d left", n, *budget))
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
