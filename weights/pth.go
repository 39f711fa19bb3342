package weights

import (
	"bytes"
	"fmt"
	"io"
	"strconv"

	"github.com/alexnet-go/alexnet/weights/pickle"
)

// Options bound what a reader may allocate. A nil *Options means the
// defaults.
type Options struct {
	// MaxElements bounds the float32 elements of all tensors together
	// (default 1<<31, 8 GiB). A few bytes of a hostile .pth can describe
	// a huge tensor over a tiny storage with zero strides.
	MaxElements int64
	// Pickle bounds the unpickler (package pickle's defaults if zero).
	Pickle pickle.Limits
	// KeepInt8 makes ReadSafetensors keep each I8 tensor's values as
	// they are, in StateDict.Int8, instead of as float32 (4 bytes a
	// value): the tensor in Tensors then has its shape and no Data.
	KeepInt8 bool
	// ONNXDir is the folder an ONNX model's external data files are read
	// from (their locations are relative to it). Load sets it to the
	// model file's folder; empty, a model with external data is refused.
	ONNXDir string
}

func (o *Options) onnxDir() string {
	if o == nil {
		return ""
	}
	return o.ONNXDir
}

func (o *Options) keepInt8() bool { return o != nil && o.KeepInt8 }

func (o *Options) maxElements() int64 {
	if o == nil || o.MaxElements <= 0 {
		return 1 << 31
	}
	return o.MaxElements
}

func (o *Options) pickleLimits() pickle.Limits {
	if o == nil {
		return pickle.Limits{}
	}
	return o.Pickle
}

// ReadPTH reads a torch.save file in either layout: the zip format when
// it starts with a zip local file header, else the legacy format.
func ReadPTH(r io.ReaderAt, size int64, opt *Options) (*StateDict, error) {
	var magic [4]byte
	if _, err := r.ReadAt(magic[:], 0); err != nil {
		return nil, errorf("file too short for a .pth (%d bytes)", size)
	}
	if string(magic[:]) == "PK\x03\x04" {
		return readZip(r, size, opt)
	}
	return readLegacy(r, size, opt)
}

// entry is one tensor of the pickled state dict.
type entry struct {
	name string
	ref  *tensorRef
}

// tensorEntries returns the tensors of the unpickled object: an
// (Ordered)Dict of tensors, or a dict that wraps one under "state_dict"
// or "model" (a training checkpoint; its other entries are ignored).
func tensorEntries(v pickle.Value) ([]entry, error) {
	d, ok := v.(*pickle.Dict)
	if !ok {
		return nil, errorf("saved object is a %s, not a state dict", pickle.TypeName(v))
	}
	for _, k := range []string{"state_dict", "model"} {
		if inner, ok := d.Get(k); ok {
			if id, ok := inner.(*pickle.Dict); ok && !allTensors(d) {
				d = id
				break
			}
		}
	}
	out := make([]entry, 0, d.Len())
	for i := range d.Len() {
		name, ok := d.Key(i).(string)
		if !ok {
			return nil, errorf("state dict key %d is a %s, not a str", i, pickle.TypeName(d.Key(i)))
		}
		ref, ok := d.Value(i).(*tensorRef)
		if !ok {
			return nil, tensorErr(name, FormatError(fmt.Sprintf("value is a %s, not a tensor", pickle.TypeName(d.Value(i)))))
		}
		out = append(out, entry{name, ref})
	}
	return out, nil
}

func allTensors(d *pickle.Dict) bool {
	for i := range d.Len() {
		if _, ok := d.Value(i).(*tensorRef); !ok {
			return false
		}
	}
	return true
}

// build materializes the entries; storageBytes returns the bytes of a
// root storage (called once per key).
func build(entries []entry, opt *Options, storageBytes func(*storageRef) ([]byte, error)) (*StateDict, error) {
	sd := NewStateDict()
	cache := map[string][]byte{}
	budget := opt.maxElements()
	for _, e := range entries {
		n := numelOf(e.ref.size)
		if n < 0 || n > budget {
			return nil, tensorErr(e.name, &LimitError{Limit: opt.maxElements()})
		}
		budget -= n
		data, ok := cache[e.ref.storage.key]
		if !ok {
			var err error
			if data, err = storageBytes(e.ref.storage); err != nil {
				return nil, tensorErr(e.name, err)
			}
			cache[e.ref.storage.key] = data
		}
		t, err := materialize(e.ref, data)
		if err != nil {
			return nil, tensorErr(e.name, err)
		}
		if err := sd.Add(e.name, t); err != nil {
			return nil, err
		}
	}
	return sd, nil
}

// LimitError reports tensors with more elements than Options.MaxElements.
type LimitError struct {
	Limit int64
}

func (e *LimitError) Error() string {
	return "tensors exceed the limit of " + strconv.FormatInt(e.Limit, 10) + " elements"
}

// readFull reads n bytes, growing the buffer as data arrives so that a
// false size costs no more memory than the data present.
func readFull(r io.Reader, n int64) ([]byte, error) {
	if n <= 1<<20 {
		b := make([]byte, n)
		_, err := io.ReadFull(r, b)
		return b, err
	}
	var buf bytes.Buffer
	_, err := io.CopyN(&buf, r, n)
	return buf.Bytes(), err
}
