package weights

import (
	"bytes"
	"encoding/binary"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/alexnet-go/alexnet/tensor"
)

// TestLoadSafetensors reads the file testdata/gen/weights.py wrote by
// hand from the spec (F32, F16, BF16, F64 and I64 tensors).
func TestLoadSafetensors(t *testing.T) {
	sd, err := Load(filepath.Join(testdata, "small.safetensors"), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstFixture(t, sd, fixtureNames)
	if sd.Metadata["format"] != "pt" || sd.Metadata["source"] != "weights.py" {
		t.Errorf("metadata = %v", sd.Metadata)
	}
}

// st builds a safetensors file from a header and a data buffer.
func st(header string, data int) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), make([]byte, data)...)
}

func TestSafetensorsValidation(t *testing.T) {
	tests := []struct {
		name string
		file []byte
		want string
	}{
		{"ok", st(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, 8), ""},
		{"empty", st(`{}`, 0), ""},
		{"overlap", st(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 12), "hole or overlap"},
		{"hole", st(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8), "hole or overlap"},
		{"uncovered tail", st(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 8), "cover 4 of the 8"},
		{"out of range", st(`{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`, 8), "outside the 8-byte buffer"},
		{"size mismatch", st(`{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,8]}}`, 8), "8 bytes for 2 elements of float16"},
		{"unknown dtype", st(`{"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}`, 1), `unsupported safetensors dtype "F8_E4M3"`},
		{"duplicate", st(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}`, 2), "twice"},
		{"header too long", append(binary.LittleEndian.AppendUint64(nil, 1<<40), '{'), "does not fit"},
		{"not json", st(`[1]`, 0), "not a JSON object"},
		{"trailing junk", st(`{} x`, 0), "after the JSON object"},
		{"bad metadata", st(`{"__metadata__":{"a":1}}`, 0), "__metadata__"},
		{"negative dim", st(`{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}`, 0), "bad dimension"},
		{"huge tensor", st(`{"a":{"dtype":"F32","shape":[2147483647,2147483647],"data_offsets":[0,0]}}`, 0), "exceed the limit"},
		{"short file", []byte{1, 2, 3}, "too short"},
	}
	for _, tt := range tests {
		_, err := ReadSafetensors(bytes.NewReader(tt.file), int64(len(tt.file)), nil)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: err = %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}

// TestSafetensorsIntegerDTypes writes I8, U8 and I32 tensors next to an
// F32 one and reads them back with their values and dtypes.
func TestSafetensorsIntegerDTypes(t *testing.T) {
	sd := NewStateDict()
	in := []struct {
		name string
		d    DType
		data []float32
	}{
		{"w", Int8, []float32{-128, -1, 0, 127}},
		{"u", Uint8, []float32{0, 1, 255}},
		{"z", Int32, []float32{-2147483648, 0, 2147483520}},
		{"f", Float32, []float32{0.5, -1.25}},
	}
	for _, x := range in {
		if err := sd.AddAs(x.name, &tensor.Tensor{Shape: []int{len(x.data)}, Data: x.data}, x.d); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := WriteSafetensors(&buf, sd); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"w":{"dtype":"I8","shape":[4],"data_offsets":[0,4]}`, `"u":{"dtype":"U8","shape":[3],"data_offsets":[4,7]}`,
		`"z":{"dtype":"I32","shape":[3],"data_offsets":[7,19]}`, `"f":{"dtype":"F32","shape":[2],"data_offsets":[19,27]}`} {
		if !bytes.Contains(buf.Bytes(), []byte(want)) {
			t.Errorf("header lacks %s", want)
		}
	}
	back, err := ReadSafetensors(bytes.NewReader(buf.Bytes()), int64(buf.Len()), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range in {
		if back.DType(x.name) != x.d {
			t.Errorf("%s: dtype %v, want %v", x.name, back.DType(x.name), x.d)
		}
		if got := back.Get(x.name).Data; !slices.Equal(got, x.data) {
			t.Errorf("%s: %v, want %v", x.name, got, x.data)
		}
	}
	// With KeepInt8, the I8 tensor's values come as int8, the others as before.
	kept, err := ReadSafetensors(bytes.NewReader(buf.Bytes()), int64(buf.Len()), &Options{KeepInt8: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := kept.Int8["w"]; !slices.Equal(got, []int8{-128, -1, 0, 127}) || kept.Get("w").Data != nil || !slices.Equal(kept.Get("w").Shape, []int{4}) {
		t.Errorf("w with KeepInt8: %v, tensor %+v", got, kept.Get("w"))
	}
	if kept.DType("w") != Int8 || len(kept.Int8) != 1 || !slices.Equal(kept.Get("u").Data, in[1].data) {
		t.Errorf("KeepInt8: dtype %v, %d int8 tensors, u %v", kept.DType("w"), len(kept.Int8), kept.Get("u").Data)
	}
}

// TestSafetensorsIntegerRange refuses values an integer dtype cannot
// hold, naming the tensor, and writes nothing.
func TestSafetensorsIntegerRange(t *testing.T) {
	tests := []struct {
		d DType
		v float32
	}{{Int8, 128}, {Int8, -129}, {Int8, 0.5}, {Uint8, -1}, {Uint8, 256}, {Int32, 2147483648}, {Int32, float32(math.NaN())}}
	for _, tt := range tests {
		sd := NewStateDict()
		if err := sd.AddAs("bad", &tensor.Tensor{Shape: []int{2}, Data: []float32{0, tt.v}}, tt.d); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		err := WriteSafetensors(&buf, sd)
		if err == nil || !strings.Contains(err.Error(), `tensor "bad": element 1`) || buf.Len() != 0 {
			t.Errorf("%v %v: err = %v, %d bytes written", tt.d, tt.v, err, buf.Len())
		}
	}
}
