package weights

import (
	"bytes"
	"os"
	"path/filepath"
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

// FuzzReadSafetensors: any input either fails or yields tensors whose
// data matches their shapes, and what it yields writes and reads back.
func FuzzReadSafetensors(f *testing.F) {
	addSeeds(f, "small.safetensors")
	f.Add(st(`{"a":{"dtype":"BF16","shape":[2,1],"data_offsets":[0,4]},"__metadata__":{"k":"v"}}`, 4))
	f.Fuzz(func(t *testing.T, b []byte) {
		sd, err := ReadSafetensors(bytes.NewReader(b), int64(len(b)), fuzzOptions)
		if err != nil {
			return
		}
		if err := sd.validate(); err != nil {
			t.Fatal(err)
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
	f.Fuzz(func(t *testing.T, b []byte) {
		sd, err := ReadPTH(bytes.NewReader(b), int64(len(b)), fuzzOptions)
		if err != nil {
			return
		}
		if err := sd.validate(); err != nil {
			t.Fatal(err)
		}
	})
}
