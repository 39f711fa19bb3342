package weights

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/alexnet-go/alexnet/tensor"
)

// TestLoadSafetensorsHeader0x80 loads safetensors files whose header
// length's low byte is 0x80, the first byte of a pickle, which Load once
// took for a legacy .pth.
func TestLoadSafetensorsHeader0x80(t *testing.T) {
	for pad := 0; pad < 300; pad++ {
		sd := NewStateDict()
		sd.Add("w", &tensor.Tensor{Shape: []int{2}, Data: []float32{1, 2}})
		sd.Metadata = map[string]string{"k": strings.Repeat("x", pad)}
		path := filepath.Join(t.TempDir(), "m.safetensors")
		if err := Save(path, sd); err != nil {
			t.Fatal(err)
		}
		got, err := Load(path, nil)
		if err != nil {
			t.Fatalf("metadata of %d bytes: %v", pad, err)
		}
		if d := got.Get("w").Data; d[0] != 1 || d[1] != 2 {
			t.Fatalf("metadata of %d bytes: w = %v", pad, d)
		}
	}
}
