package weights

import (
	"encoding/binary"
	"math"
)

// DType is the element type of a stored tensor. Every dtype is converted
// to float32 when read.
type DType int

// The dtypes torch.save and safetensors files may hold that this package
// reads.
const (
	Float32 DType = iota + 1
	Float16
	BFloat16
	Float64
	Int64
	Int32
	Int16
	Int8
	Uint8
	Bool
)

var dtypeInfo = [...]struct {
	name string
	size int
}{
	Float32: {"float32", 4}, Float16: {"float16", 2}, BFloat16: {"bfloat16", 2},
	Float64: {"float64", 8}, Int64: {"int64", 8}, Int32: {"int32", 4},
	Int16: {"int16", 2}, Int8: {"int8", 1}, Uint8: {"uint8", 1}, Bool: {"bool", 1},
}

// Size is the byte size of one element.
func (d DType) Size() int { return dtypeInfo[d].size }

func (d DType) String() string { return dtypeInfo[d].name }

// decode converts len(dst) little-endian elements of src to float32:
// float64 and integers round to nearest even, as Tensor.float() does.
// src must hold at least len(dst)*d.Size() bytes.
func decode(dst []float32, src []byte, d DType) {
	le := binary.LittleEndian
	switch d {
	case Float32:
		for i := range dst {
			dst[i] = math.Float32frombits(le.Uint32(src[4*i:]))
		}
	case Float16:
		for i := range dst {
			dst[i] = halfToFloat(le.Uint16(src[2*i:]))
		}
	case BFloat16:
		for i := range dst {
			dst[i] = math.Float32frombits(uint32(le.Uint16(src[2*i:])) << 16)
		}
	case Float64:
		for i := range dst {
			dst[i] = float32(math.Float64frombits(le.Uint64(src[8*i:])))
		}
	case Int64:
		for i := range dst {
			dst[i] = float32(int64(le.Uint64(src[8*i:])))
		}
	case Int32:
		for i := range dst {
			dst[i] = float32(int32(le.Uint32(src[4*i:])))
		}
	case Int16:
		for i := range dst {
			dst[i] = float32(int16(le.Uint16(src[2*i:])))
		}
	case Int8:
		for i := range dst {
			dst[i] = float32(int8(src[i]))
		}
	case Uint8:
		for i := range dst {
			dst[i] = float32(src[i])
		}
	case Bool:
		for i := range dst {
			if src[i] != 0 {
				dst[i] = 1
			} else {
				dst[i] = 0
			}
		}
	}
}

// halfToFloat converts IEEE 754 binary16 bits to float32 exactly,
// including subnormals, infinities and NaN payloads.
func halfToFloat(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // inf or NaN
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp != 0: // normal
		return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
	case frac == 0:
		return math.Float32frombits(sign)
	}
	// Subnormal: frac * 2^-24, exact in float32.
	f := float32(frac) * (1.0 / (1 << 24))
	if sign != 0 {
		f = -f
	}
	return f
}
