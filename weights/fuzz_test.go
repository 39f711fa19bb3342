package weights

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/alexnet-go/alexnet/weights/pickle"
)

// fuzzOptions keep allocations small so the fuzzer finds bugs, not OOMs.
var fuzzOptions = &Options{MaxElements: 1 << 20, Pickle: pickle.Limits{MaxInput: 1 << 20, MaxStack: 1 << 12, MaxMemo: 1 << 12}}

func addSeeds(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(testdata, n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// fuzzRead reads b with read and fuzzOptions: nil if that fails, else
// the state dict, which must be consistent (validate).
func fuzzRead(t *testing.T, b []byte, read func(io.ReaderAt, int64, *Options) (*StateDict, error)) *StateDict {
	t.Helper()
	sd, err := read(bytes.NewReader(b), int64(len(b)), fuzzOptions)
	if err != nil {
		return nil
	}
	if err := sd.validate(); err != nil {
		t.Fatal(err)
	}
	return sd
}

// FuzzReadSafetensors: any input either fails or yields tensors whose
// data matches their shapes, and what it yields writes and reads back.
func FuzzReadSafetensors(f *testing.F) {
	addSeeds(f, "small.safetensors")
	f.Add(st(`{"a":{"dtype":"BF16","shape":[2,1],"data_offsets":[0,4]},"__metadata__":{"k":"v"}}`, 4))
	f.Fuzz(func(t *testing.T, b []byte) {
		sd := fuzzRead(t, b, ReadSafetensors)
		if sd == nil {
			return
		}
		var buf bytes.Buffer
		if err := WriteSafetensors(&buf, sd); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadSafetensors(bytes.NewReader(buf.Bytes()), int64(buf.Len()), nil); err != nil {
			t.Fatalf("re-read of written file: %v", err)
		}
	})
}

// FuzzReadPTH: any input either fails or yields a consistent state dict.
func FuzzReadPTH(f *testing.F) {
	addSeeds(f, "small.pth", "small_legacy.pth", "wrapped.pth", "evil.pth")
	f.Fuzz(func(t *testing.T, b []byte) { fuzzRead(t, b, ReadPTH) })
}

// FuzzONNX: any input either fails or yields a consistent state dict,
// within fuzzOptions' element budget. Seeds: the fixtures, the fixture at
// width 1 (tinyONNX, 6 KB, which mutates fastest) and the huge claim. Run
// it with a small -fuzzminimizetime (e.g. 50x): the default 60 s of
// minimizing each new input over the protobuf runtime's coverage shows as
// a fuzzer stuck at 0 execs/s.
func FuzzONNX(f *testing.F) {
	for _, n := range []string{"tv_narrow_op11.onnx", "tv_narrow_op13_dyn.onnx", "tv_narrow_op17.onnx",
		"caffe_narrow_op7.onnx", "tv_narrow_mm_op9.onnx", "tiny_bn_narrow_op15.onnx"} {
		b, err := os.ReadFile(filepath.Join("../testdata/onnx", n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(tinyONNX(f))
	f.Add(hugeClaim(f))
	f.Fuzz(func(t *testing.T, b []byte) {
		sd := fuzzRead(t, b, ReadONNX)
		if sd == nil {
			return
		}
		reexportONNX(t, sd)
	})
}

// reexportONNX checks that what ReadONNX read writes (WriteONNX) and
// reads back as the same tensors.
func reexportONNX(t *testing.T, sd *StateDict) {
	t.Helper()
	side, _ := strconv.Atoi(sd.Metadata[MetaInputSize])
	k, _ := strconv.ParseFloat(sd.Metadata[MetaLRNBias], 32)
	var buf bytes.Buffer
	e := ONNXExport{Arch: sd.Metadata[MetaArch], InputSize: side, LRNBias: float32(k), Mean: [3]float32{0.5, 0.5, 0.5}, Std: [3]float32{1, 1, 1}}
	if err := WriteONNX(&buf, sd, e); err != nil {
		t.Fatalf("export of what was read: %v", err)
	}
	back, err := ReadONNX(bytes.NewReader(buf.Bytes()), int64(buf.Len()), nil)
	if err != nil {
		t.Fatalf("re-read of the export: %v", err)
	}
	for _, name := range sd.Names {
		if !slicesEqual(back.Get(name).Data, sd.Get(name).Data) {
			t.Fatalf("%s differs after export and re-read", name)
		}
	}
}
