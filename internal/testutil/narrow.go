package testutil

import (
	"path/filepath"
	"testing"

	"github.com/alexnet-go/alexnet/tensor"
)

// NarrowConfig is the config.json of a narrow-model fixture folder
// (testdata/model/<name>, written by testdata/gen/model.py, and
// testdata/train/<name>, by train.py, whose config.json has more fields:
// embed NarrowConfig in a struct that adds them). The fields are those
// of model.Config, which this package cannot import.
type NarrowConfig struct {
	Arch       string `json:"arch"`
	Channels   []int  `json:"channels"`
	Hidden     int    `json:"hidden"`
	NumClasses int    `json:"num_classes"`
	InputSize  int    `json:"input_size"`
	// StateDict is PyTorch's state_dict keys in order; each is stored as
	// <key>.npy in the folder.
	StateDict []string `json:"state_dict"`
}

// ReadNarrowConfig reads dir/config.json.
func ReadNarrowConfig(t testing.TB, dir string) NarrowConfig {
	t.Helper()
	var c NarrowConfig
	ReadJSON(t, filepath.Join(dir, "config.json"), &c)
	return c
}

// NarrowStateDict reads the tensors of keys from dir/<key>.npy (an int64
// num_batches_tracked, stored as float32 by the generators, included).
func NarrowStateDict(t testing.TB, dir string, keys []string) map[string]*tensor.Tensor {
	t.Helper()
	sd := make(map[string]*tensor.Tensor, len(keys))
	for _, key := range keys {
		sd[key] = ReadTensor(t, filepath.Join(dir, key+".npy"))
	}
	return sd
}

// NarrowInput reads dir/input_u8.npy, the batch u of uint8 values, as the
// model's input x = (u - 128) / 64 (exact in float32).
func NarrowInput(t testing.TB, dir string) *tensor.Tensor {
	t.Helper()
	u := ReadNpy(t, filepath.Join(dir, "input_u8.npy"))
	x := tensor.New(u.Shape...)
	for i, v := range u.U8 {
		x.Data[i] = (float32(v) - 128) / 64
	}
	return x
}

// NarrowWeights returns the path of testdata/classify/tv_narrow.pth, the
// narrow torchvision AlexNet (written by testdata/gen/classify.py) that
// the predict, eval, serve and command tests load.
func NarrowWeights(t testing.TB) string {
	t.Helper()
	return Testdata(t, "classify", "tv_narrow.pth")
}
