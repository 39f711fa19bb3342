package weights

import (
	"fmt"
	"math"

	"github.com/alexnet-go/alexnet/tensor"
	"github.com/alexnet-go/alexnet/weights/pickle"
)

// storageClasses are the typed storage classes torch 1.13 names in
// persistent ids ("torch", "FloatStorage"), with the dtypes we convert.
var storageClasses = map[string]DType{
	"FloatStorage": Float32, "HalfStorage": Float16, "BFloat16Storage": BFloat16,
	"DoubleStorage": Float64, "LongStorage": Int64, "IntStorage": Int32,
	"ShortStorage": Int16, "CharStorage": Int8, "ByteStorage": Uint8, "BoolStorage": Bool,
}

// knownUnsupported are torch storage classes that are legitimate but that
// a float32 state dict cannot hold.
var knownUnsupported = map[string]bool{
	"ComplexFloatStorage": true, "ComplexDoubleStorage": true, "QUInt8Storage": true,
	"QInt8Storage": true, "QInt32Storage": true, "QUInt4x2Storage": true, "QUInt2x4Storage": true,
}

// storageClass is the value GLOBAL torch.<X>Storage resolves to.
type storageClass struct {
	name  string
	dtype DType
}

// maxDims bounds the rank of a rebuilt tensor.
const maxDims = 32

// findTorchGlobal is the allow-list of globals: collections.OrderedDict
// (the state dict itself and the empty backward-hooks dict),
// torch._utils._rebuild_tensor_v2 (every tensor), the typed storage
// classes, and torch._utils._rebuild_parameter, which torch.save writes
// for an nn.Parameter saved directly (a dict of named_parameters(), or
// state_dict(keep_vars=True)); it only returns its first argument.
func findTorchGlobal(module, name string) (pickle.Value, error) {
	switch module + "." + name {
	case "collections.OrderedDict":
		return pickle.Func(newOrderedDict), nil
	case "torch._utils._rebuild_tensor_v2":
		return pickle.Func(rebuildTensorV2), nil
	case "torch._utils._rebuild_parameter":
		return pickle.Func(rebuildParameter), nil
	}
	if module == "torch" {
		if d, ok := storageClasses[name]; ok {
			return storageClass{name: name, dtype: d}, nil
		}
		if knownUnsupported[name] {
			return nil, UnsupportedError("storage type torch." + name)
		}
	}
	return nil, &pickle.GlobalError{Module: module, Name: name}
}

func newOrderedDict(args pickle.Tuple) (pickle.Value, error) {
	if len(args) != 0 {
		return nil, FormatError("OrderedDict called with arguments")
	}
	return pickle.NewDict(), nil
}

// storageRef is a storage named by a persistent id; its bytes are read
// after unpickling. For a legacy view, key is the root storage and
// viewOffset the view's first element in it.
type storageRef struct {
	key        string
	dtype      DType
	numel      int64
	viewOffset int64
}

// tensorRef is a tensor as _rebuild_tensor_v2 describes it.
type tensorRef struct {
	storage *storageRef
	offset  int64
	size    []int
	stride  []int64
}

func asInt(v pickle.Value) (int64, bool) {
	i, ok := v.(int64)
	return i, ok
}

// rebuildTensorV2 mirrors torch._utils._rebuild_tensor_v2(storage,
// storage_offset, size, stride, requires_grad, backward_hooks[, metadata]);
// the last three only matter to autograd and are ignored.
func rebuildTensorV2(args pickle.Tuple) (pickle.Value, error) {
	if len(args) != 6 && len(args) != 7 {
		return nil, FormatError(fmt.Sprintf("_rebuild_tensor_v2 with %d arguments, want 6 or 7", len(args)))
	}
	st, ok := args[0].(*storageRef)
	if !ok {
		return nil, FormatError(fmt.Sprintf("_rebuild_tensor_v2 storage is %s", pickle.TypeName(args[0])))
	}
	off, ok := asInt(args[1])
	if !ok || off < 0 {
		return nil, FormatError("_rebuild_tensor_v2 storage offset is not a non-negative int")
	}
	size, ok1 := args[2].(pickle.Tuple)
	stride, ok2 := args[3].(pickle.Tuple)
	if !ok1 || !ok2 || len(size) != len(stride) || len(size) > maxDims {
		return nil, FormatError("_rebuild_tensor_v2 size and stride are not tuples of one length (at most 32)")
	}
	t := &tensorRef{storage: st, offset: off, size: make([]int, len(size)), stride: make([]int64, len(size))}
	for i := range size {
		n, ok1 := asInt(size[i])
		s, ok2 := asInt(stride[i])
		if !ok1 || !ok2 || n < 0 || s < 0 || n > math.MaxInt32 || s > math.MaxInt32 {
			return nil, FormatError(fmt.Sprintf("_rebuild_tensor_v2 bad size or stride in dimension %d", i))
		}
		t.size[i], t.stride[i] = int(n), s
	}
	return t, nil
}

// rebuildParameter mirrors torch._utils._rebuild_parameter(data,
// requires_grad, backward_hooks): the parameter's data is the tensor.
func rebuildParameter(args pickle.Tuple) (pickle.Value, error) {
	if len(args) != 3 {
		return nil, FormatError(fmt.Sprintf("_rebuild_parameter with %d arguments, want 3", len(args)))
	}
	t, ok := args[0].(*tensorRef)
	if !ok {
		return nil, FormatError(fmt.Sprintf("_rebuild_parameter data is %s", pickle.TypeName(args[0])))
	}
	return t, nil
}

// storages collects the storages persistent ids name, by key.
type storages map[string]*storageRef

// load resolves a persistent id ('storage', class, key, location, numel)
// of the zip format, or the legacy ('storage', class, key, location,
// numel, view_metadata) where view_metadata is None or (view_key, offset,
// view_size). The location (a device) is ignored: everything loads on
// the CPU, as torch.load(map_location="cpu").
func (s storages) load(pid pickle.Value) (pickle.Value, error) {
	t, ok := pid.(pickle.Tuple)
	if !ok || (len(t) != 5 && len(t) != 6) || t[0] != "storage" {
		return nil, FormatError(fmt.Sprintf("persistent id is %s, want ('storage', type, key, location, numel)", pickle.TypeName(pid)))
	}
	cls, ok := t[1].(storageClass)
	if !ok {
		return nil, FormatError("persistent id storage type is not a torch storage class")
	}
	key, ok := t[2].(string)
	numel, ok2 := asInt(t[4])
	if !ok || !ok2 || numel < 0 {
		return nil, FormatError("persistent id key is not a str or numel not an int")
	}
	root, err := s.add(key, cls.dtype, numel)
	if err != nil {
		return nil, err
	}
	if len(t) == 5 || t[5] == nil {
		return root, nil
	}
	vm, ok := t[5].(pickle.Tuple)
	if !ok || len(vm) != 3 {
		return nil, FormatError("persistent id view_metadata is not (key, offset, size)")
	}
	vkey, ok := vm[0].(string)
	voff, ok1 := asInt(vm[1])
	vsize, ok2 := asInt(vm[2])
	if !ok || !ok1 || !ok2 || voff < 0 || vsize < 0 || voff > numel-vsize {
		return nil, FormatError(fmt.Sprintf("storage view %q out of range of storage %q", vkey, key))
	}
	return &storageRef{key: key, dtype: cls.dtype, numel: vsize, viewOffset: voff}, nil
}

func (s storages) add(key string, d DType, numel int64) (*storageRef, error) {
	if r, ok := s[key]; ok {
		if r.dtype != d || r.numel != numel {
			return nil, FormatError(fmt.Sprintf("storage %q named with two types or sizes", key))
		}
		return r, nil
	}
	r := &storageRef{key: key, dtype: d, numel: numel}
	s[key] = r
	return r, nil
}

// pickleOptions returns the restricted unpickler configuration.
func (s storages) pickleOptions(l pickle.Limits) *pickle.Options {
	return &pickle.Options{Find: findTorchGlobal, PersistentLoad: s.load, Limits: l}
}

// numelOf is the element count of size, or -1 past 1<<40.
func numelOf(size []int) int64 {
	n := int64(1)
	for _, d := range size {
		n *= int64(d) // d < 2^31 and n <= 2^40 before, so no overflow
		if n > 1<<40 {
			return -1
		}
	}
	return n
}

// materialize gathers t's elements from the bytes of its root storage
// into a new contiguous float32 tensor, honouring offset and strides.
// The caller has bounded numelOf(t.size).
func materialize(t *tensorRef, data []byte) (*tensor.Tensor, error) {
	st := t.storage
	out := tensor.New(t.size...)
	if len(out.Data) == 0 {
		return out, nil
	}
	last := t.offset // index of the last element within the (view) storage
	for i, n := range t.size {
		if n > 1 && t.stride[i] > (math.MaxInt64-last)/int64(n-1) {
			return nil, FormatError("strides overflow")
		}
		last += int64(n-1) * t.stride[i]
	}
	if last >= st.numel {
		return nil, FormatError(fmt.Sprintf("storage too short: needs element %d of a %d-element storage", last, st.numel))
	}
	sz := int64(st.dtype.Size())
	first := st.viewOffset + t.offset
	if end := (st.viewOffset + last + 1) * sz; end > int64(len(data)) {
		return nil, FormatError(fmt.Sprintf("storage too short: %d bytes, need %d", len(data), end))
	}
	if contiguous(t.size, t.stride) {
		decode(out.Data, data[first*sz:], st.dtype)
		return out, nil
	}
	span := make([]float32, last-t.offset+1)
	decode(span, data[first*sz:], st.dtype)
	gather(out.Data, span, t.size, t.stride)
	return out, nil
}

// contiguous reports whether stride is the row-major stride of size
// (dimensions of size 1 may have any stride).
func contiguous(size []int, stride []int64) bool {
	want := int64(1)
	for i := len(size) - 1; i >= 0; i-- {
		if size[i] != 1 && stride[i] != want {
			return false
		}
		want *= int64(size[i])
	}
	return true
}

// gather copies src[Σ idx[i]*stride[i]] to dst in row-major index order.
func gather(dst, src []float32, size []int, stride []int64) {
	idx := make([]int, len(size))
	var pos int64
	for k := range dst {
		dst[k] = src[pos]
		for d := len(size) - 1; d >= 0; d-- {
			idx[d]++
			pos += stride[d]
			if idx[d] < size[d] {
				break
			}
			pos -= int64(idx[d]) * stride[d]
			idx[d] = 0
		}
	}
}
