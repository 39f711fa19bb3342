package weights

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"unsafe"

	"github.com/alexnet-go/alexnet/tensor"
)

// maxSafetensorsHeader is the header size limit of the reference
// implementation (100 MB).
const maxSafetensorsHeader = 100_000_000

// safetensorsDTypes maps the spec's dtype names to ours (F32, F16, BF16
// and F64 are the ones that matter; integers and BOOL come along).
var safetensorsDTypes = map[string]DType{
	"F32": Float32, "F16": Float16, "BF16": BFloat16, "F64": Float64,
	"I64": Int64, "I32": Int32, "I16": Int16, "I8": Int8, "U8": Uint8, "BOOL": Bool,
}

// safetensorsName is the spec's name of each dtype WriteSafetensors
// writes.
var safetensorsName = map[DType]string{Float32: "F32", Int8: "I8", Uint8: "U8", Int32: "I32"}

// storedDType is the dtype WriteSafetensors stores a tensor of dtype d
// as: the integer dtypes of safetensorsName as themselves, the rest
// (which readers converted to float32) as Float32.
func storedDType(d DType) DType {
	if d == Int8 || d == Uint8 || d == Int32 {
		return d
	}
	return Float32
}

// intRange is the range of each integer dtype WriteSafetensors writes.
var intRange = map[DType][2]float64{Int8: {math.MinInt8, math.MaxInt8}, Uint8: {0, math.MaxUint8}, Int32: {math.MinInt32, math.MaxInt32}}

// checkIntegers reports the first value of data that is not an integer
// in d's range when d is an integer dtype.
func checkIntegers(data []float32, d DType) error {
	r, ok := intRange[d]
	if !ok {
		return nil
	}
	for i, v := range data {
		if f := float64(v); f != math.Trunc(f) || f < r[0] || f > r[1] {
			return FormatError(fmt.Sprintf("element %d is %v, not a %s value", i, v, d))
		}
	}
	return nil
}

type safetensorsEntry struct {
	DType       string  `json:"dtype"`
	Shape       []int64 `json:"shape"`
	DataOffsets []int64 `json:"data_offsets"`
}

// ReadSafetensors reads a safetensors file (spec: huggingface/safetensors
// README, "Format"): an unsigned little-endian 64-bit header size N, an
// N-byte JSON object {name: {"dtype", "shape", "data_offsets": [begin,
// end]}, "__metadata__": {str: str}}, then the byte buffer, which the
// offsets (relative to the buffer) must cover exactly, without holes or
// overlaps. Names keep the header's order.
func ReadSafetensors(r io.ReaderAt, size int64, opt *Options) (*StateDict, error) {
	var hn [8]byte
	if _, err := r.ReadAt(hn[:], 0); err != nil {
		return nil, errorf("safetensors: file too short (%d bytes)", size)
	}
	n := binary.LittleEndian.Uint64(hn[:])
	if n > maxSafetensorsHeader || int64(n) > size-8 {
		return nil, errorf("safetensors: header size %d does not fit in the %d-byte file", n, size)
	}
	hdr := make([]byte, n)
	if _, err := r.ReadAt(hdr, 8); err != nil {
		return nil, errorf("safetensors: reading header: %v", err)
	}
	names, entries, meta, err := parseSafetensorsHeader(hdr)
	if err != nil {
		return nil, err
	}
	bufLen := size - 8 - int64(n)
	if err := checkSafetensorsLayout(names, entries, bufLen, opt.maxElements()); err != nil {
		return nil, err
	}
	sd := NewStateDict()
	sd.Metadata = meta
	sd.DTypes = make(map[string]DType, len(names))
	for _, name := range names {
		e := entries[name]
		d := safetensorsDTypes[e.DType]
		shape := make([]int, len(e.Shape))
		for i, s := range e.Shape {
			shape[i] = int(s)
		}
		off := 8 + int64(n) + e.DataOffsets[0]
		if d == Int8 && opt.keepInt8() {
			if err := sd.addInt8(r, off, name, shape); err != nil {
				return nil, err
			}
			continue
		}
		b := make([]byte, e.DataOffsets[1]-e.DataOffsets[0])
		if _, err := r.ReadAt(b, off); err != nil {
			return nil, tensorErr(name, fmt.Errorf("reading data: %w", err))
		}
		t, err := materialize(&tensorRef{storage: &storageRef{key: name, dtype: d, numel: int64(len(b) / d.Size())},
			size: shape, stride: rowMajor(shape)}, b)
		if err != nil {
			return nil, tensorErr(name, err)
		}
		if err := sd.AddAs(name, t, d); err != nil {
			return nil, err
		}
	}
	return sd, nil
}

// addInt8 reads the I8 tensor called name, of the given shape, at off in
// r straight into sd.Int8 (Options.KeepInt8).
func (sd *StateDict) addInt8(r io.ReaderAt, off int64, name string, shape []int) error {
	numel := 1
	for _, s := range shape {
		numel *= s
	}
	v := make([]int8, numel)
	if numel > 0 {
		if _, err := r.ReadAt(unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), numel), off); err != nil {
			return tensorErr(name, fmt.Errorf("reading data: %w", err))
		}
	}
	if sd.Int8 == nil {
		sd.Int8 = map[string][]int8{}
	}
	sd.Int8[name] = v
	return sd.AddAs(name, &tensor.Tensor{Shape: shape}, Int8)
}

func rowMajor(shape []int) []int64 {
	s := make([]int64, len(shape))
	acc := int64(1)
	for i := len(shape) - 1; i >= 0; i-- {
		s[i] = acc
		acc *= int64(shape[i])
	}
	return s
}

// parseSafetensorsHeader decodes the JSON header keeping key order.
func parseSafetensorsHeader(hdr []byte) ([]string, map[string]*safetensorsEntry, map[string]string, error) {
	dec := json.NewDecoder(bytes.NewReader(hdr))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, nil, nil, errorf("safetensors: header is not a JSON object")
	}
	var names []string
	entries := map[string]*safetensorsEntry{}
	var meta map[string]string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, nil, errorf("safetensors: header: %v", err)
		}
		name, _ := tok.(string)
		if _, dup := entries[name]; dup || (name == "__metadata__" && meta != nil) {
			return nil, nil, nil, errorf("safetensors: header names %q twice", name)
		}
		if name == "__metadata__" {
			if err := dec.Decode(&meta); err != nil {
				return nil, nil, nil, errorf("safetensors: __metadata__ is not a map of strings: %v", err)
			}
			if meta == nil {
				meta = map[string]string{}
			}
			continue
		}
		e := &safetensorsEntry{}
		if err := dec.Decode(e); err != nil {
			return nil, nil, nil, tensorErr(name, FormatError("safetensors header entry: "+err.Error()))
		}
		names = append(names, name)
		entries[name] = e
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, nil, errorf("safetensors: header: %v", err)
	}
	for _, b := range hdr[dec.InputOffset():] {
		if b != ' ' {
			return nil, nil, nil, errorf("safetensors: header has data after the JSON object")
		}
	}
	return names, entries, meta, nil
}

// checkSafetensorsLayout validates dtypes, shapes and offsets against the
// buffer length: each entry's byte size matches its shape, and sorted by
// offset the entries tile [0, bufLen) exactly.
func checkSafetensorsLayout(names []string, entries map[string]*safetensorsEntry, bufLen, maxElems int64) error {
	type span struct {
		name       string
		begin, end int64
	}
	spans := make([]span, 0, len(names))
	total := int64(0)
	for _, name := range names {
		e := entries[name]
		d, ok := safetensorsDTypes[e.DType]
		if !ok {
			return tensorErr(name, UnsupportedError(fmt.Sprintf("safetensors dtype %q", e.DType)))
		}
		if len(e.DataOffsets) != 2 || len(e.Shape) > maxDims {
			return tensorErr(name, FormatError("safetensors entry needs data_offsets [begin, end] and at most 32 dimensions"))
		}
		numel := int64(1)
		for _, s := range e.Shape {
			if s < 0 || s > math.MaxInt32 {
				return tensorErr(name, FormatError(fmt.Sprintf("bad dimension %d", s)))
			}
			numel *= s
			if numel > maxElems {
				return tensorErr(name, &LimitError{Limit: maxElems})
			}
		}
		if total += numel; total > maxElems {
			return tensorErr(name, &LimitError{Limit: maxElems})
		}
		b, end := e.DataOffsets[0], e.DataOffsets[1]
		if b < 0 || end < b || end > bufLen {
			return tensorErr(name, FormatError(fmt.Sprintf("data_offsets [%d, %d] outside the %d-byte buffer", b, end, bufLen)))
		}
		if end-b != numel*int64(d.Size()) {
			return tensorErr(name, FormatError(fmt.Sprintf("%d bytes for %d elements of %s", end-b, numel, d)))
		}
		spans = append(spans, span{name, b, end})
	}
	sort.SliceStable(spans, func(i, j int) bool { return spans[i].begin < spans[j].begin })
	pos := int64(0)
	for _, s := range spans {
		if s.begin != pos {
			return tensorErr(s.name, FormatError(fmt.Sprintf("data_offsets begin at %d, want %d (hole or overlap)", s.begin, pos)))
		}
		pos = s.end
	}
	if pos != bufLen {
		return errorf("safetensors: tensors cover %d of the %d buffer bytes", pos, bufLen)
	}
	return nil
}

// WriteSafetensors writes sd as safetensors, tensors in sd.Names order
// and sd.Metadata as "__metadata__" when not empty. A tensor whose
// sd.DType is Int8, Uint8 or Int32 is stored as "I8", "U8" or "I32" (its
// values must be integers in that range, else nothing is written and the
// error names the tensor); every other tensor as "F32". The header is
// padded with spaces to a multiple of 8 bytes, so the data is 8-byte
// aligned.
func WriteSafetensors(w io.Writer, sd *StateDict) error {
	if err := sd.validate(); err != nil {
		return err
	}
	for _, name := range sd.Names {
		if err := checkIntegers(sd.Tensors[name].Data, storedDType(sd.DType(name))); err != nil {
			return tensorErr(name, err)
		}
	}
	var h bytes.Buffer
	h.WriteByte('{')
	if len(sd.Metadata) > 0 {
		m, err := json.Marshal(sd.Metadata) // sorted keys
		if err != nil {
			return &Error{Err: err}
		}
		h.WriteString(`"__metadata__":`)
		h.Write(m)
	}
	off := int64(0)
	for i, name := range sd.Names {
		if i > 0 || len(sd.Metadata) > 0 {
			h.WriteByte(',')
		}
		t, d := sd.Tensors[name], storedDType(sd.DType(name))
		k, _ := json.Marshal(name)
		shape, _ := json.Marshal(append([]int{}, t.Shape...))
		end := off + int64(d.Size()*len(t.Data))
		fmt.Fprintf(&h, `%s:{"dtype":%q,"shape":%s,"data_offsets":[%d,%d]}`, k, safetensorsName[d], shape, off, end)
		off = end
	}
	h.WriteByte('}')
	for h.Len()%8 != 0 {
		h.WriteByte(' ')
	}
	bw := &errWriter{w: w}
	bw.write(binary.LittleEndian.AppendUint64(nil, uint64(h.Len())))
	bw.write(h.Bytes())
	for _, name := range sd.Names {
		bw.writeAs(sd.Tensors[name].Data, storedDType(sd.DType(name)))
	}
	if bw.err != nil {
		return &Error{Err: bw.err}
	}
	return nil
}

// errWriter keeps the first write error.
type errWriter struct {
	w   io.Writer
	err error
	buf []byte
}

func (e *errWriter) write(b []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}

// writeAs writes data little-endian as d (Float32, Int8, Uint8 or
// Int32, see storedDType) in chunks.
func (e *errWriter) writeAs(data []float32, d DType) {
	const chunk = 1 << 14
	for len(data) > 0 && e.err == nil {
		n := min(len(data), chunk)
		e.buf = e.buf[:0]
		for _, v := range data[:n] {
			switch d {
			case Int8, Uint8:
				e.buf = append(e.buf, byte(int32(v)))
			case Int32:
				e.buf = binary.LittleEndian.AppendUint32(e.buf, uint32(int32(v)))
			default:
				e.buf = binary.LittleEndian.AppendUint32(e.buf, math.Float32bits(v))
			}
		}
		e.write(e.buf)
		data = data[n:]
	}
}
