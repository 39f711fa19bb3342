package weights

import (
	"encoding/binary"
	"fmt"
	"math"

	"google.golang.org/protobuf/proto"

	"github.com/alexnet-go/alexnet/weights/onnxpb"
)

// QDQLayer is an int8 convolution or linear layer for WriteONNX's QDQ
// export (package quant's Layer): weights symmetric int8 per output
// channel, w ≈ Weight × WeightScale[c], and the per-tensor uint8 affine
// quantizer of the layer's input, x ≈ (q − InputZero) × InputScale,
// q in 0..255.
type QDQLayer struct {
	Shape       []int     // the weight's shape (out, ...)
	Weight      []int8    // row-major
	WeightScale []float32 // [out]
	Bias        []float32 // [out], or nil for zeros
	InputScale  float32
	InputZero   uint8
}

// qdqLinear writes the int8 form of a Conv or Gemm node of module: its
// input through QuantizeLinear and DequantizeLinear (uint8, per tensor),
// its weight an INT8 initializer through DequantizeLinear (axis 0, per
// output channel, zero points 0) and its bias INT32 at scale input scale
// × weight scale, through DequantizeLinear, as ONNX Runtime's QDQ format
// has them: it fuses them into QLinearConv and QGemm. It returns the
// node's inputs.
func (b *graphBuilder) qdqLinear(module string, q QDQLayer) ([]string, error) {
	out := q.Shape[0]
	if len(q.WeightScale) != out || q.Bias != nil && len(q.Bias) != out || q.InputScale <= 0 {
		return nil, fmt.Errorf("int8 layer %s: %d weight scales, %d biases, input scale %g for %d outputs", module, len(q.WeightScale), len(q.Bias), q.InputScale, out)
	}
	in := module + ".input"
	b.addInit(in+"_scale", onnxpb.TensorProto_FLOAT, nil, f32Bytes([]float32{q.InputScale}))
	b.addInit(in+"_zero_point", onnxpb.TensorProto_UINT8, nil, []byte{q.InputZero})
	b.addNode(module+"/QuantizeLinear", "QuantizeLinear", []string{b.x, in + "_scale", in + "_zero_point"}, in+"_q")
	b.addNode(module+"/DequantizeLinear", "DequantizeLinear", []string{in + "_q", in + "_scale", in + "_zero_point"}, in+"_dq")
	w := module + ".weight"
	raw := make([]byte, len(q.Weight))
	for i, v := range q.Weight {
		raw[i] = byte(v)
	}
	b.addInit(w, onnxpb.TensorProto_INT8, q.Shape, raw)
	b.addInit(w+"_scale", onnxpb.TensorProto_FLOAT, []int{out}, f32Bytes(q.WeightScale))
	b.addInit(w+"_zero_point", onnxpb.TensorProto_INT8, []int{out}, make([]byte, out))
	b.addNode(w+"/DequantizeLinear", "DequantizeLinear", []string{w, w + "_scale", w + "_zero_point"}, w+"_dq", intAttr("axis", 0))
	bias := module + ".bias"
	bq, bs := make([]byte, 4*out), make([]float32, out)
	for c := 0; c < out; c++ {
		bs[c] = q.InputScale * q.WeightScale[c]
		v := 0.0
		if q.Bias != nil {
			v = math.RoundToEven(float64(q.Bias[c]) / float64(bs[c]))
		}
		binary.LittleEndian.PutUint32(bq[4*c:], uint32(int32(max(min(v, math.MaxInt32), math.MinInt32))))
	}
	b.addInit(bias, onnxpb.TensorProto_INT32, []int{out}, bq)
	b.addInit(bias+"_scale", onnxpb.TensorProto_FLOAT, []int{out}, f32Bytes(bs))
	b.addInit(bias+"_zero_point", onnxpb.TensorProto_INT32, []int{out}, make([]byte, 4*out))
	b.addNode(bias+"/DequantizeLinear", "DequantizeLinear", []string{bias, bias + "_scale", bias + "_zero_point"}, bias+"_dq", intAttr("axis", 0))
	return []string{in + "_dq", w + "_dq", bias + "_dq"}, nil
}

// addInit appends an initializer of type dt and dims (nil: a scalar)
// holding raw.
func (b *graphBuilder) addInit(name string, dt onnxpb.TensorProto_DataType, dims []int, raw []byte) {
	d := make([]int64, len(dims))
	for i, v := range dims {
		d[i] = int64(v)
	}
	b.inits = append(b.inits, &onnxpb.TensorProto{Name: proto.String(name), Dims: d, DataType: proto.Int32(int32(dt)), RawData: raw})
}

// addNode appends a node of op from in to out.
func (b *graphBuilder) addNode(name, op string, in []string, out string, at ...*onnxpb.AttributeProto) {
	b.nodes = append(b.nodes, &onnxpb.NodeProto{Name: proto.String(name), OpType: proto.String(op), Input: in, Output: []string{out}, Attribute: at})
}
