package quant

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/alexnet-go/alexnet/weights"
)

// FuzzReadModel feeds mutations of a saved model through the safetensors
// reader and fromStateDict: never a panic, and a model it accepts is one
// Save writes and Load reads back the same.
func FuzzReadModel(f *testing.F) {
	path := filepath.Join(f.TempDir(), "q.safetensors")
	if err := Save(path, testModel()); err != nil {
		f.Fatal(err)
	}
	seed, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, data []byte) {
		sd, err := weights.ReadSafetensors(bytes.NewReader(data), int64(len(data)), nil)
		if err != nil {
			return
		}
		m, err := fromStateDict(sd)
		if err != nil {
			return
		}
		out := filepath.Join(t.TempDir(), "m.safetensors")
		if err := Save(out, m); err != nil {
			t.Fatalf("accepted a model Save refuses: %v", err)
		}
		back, err := Load(out)
		if err != nil || !reflect.DeepEqual(back, m) {
			t.Errorf("round trip: %v\n%+v\n%+v", err, back, m)
		}
	})
}
