package model

import (
	"errors"
	"testing"

	"github.com/alexnet-go/alexnet/tensor"
)

// InferConfig recovers a variant's widths from its own state dict, for
// every module layout, and keeps the full-size values for absent tensors.
func TestInferConfig(t *testing.T) {
	for _, want := range []Config{
		{Arch: ArchOriginal, Channels: [5]int{4, 6, 8, 6, 4}, Hidden: 8, NumClasses: 3, InputSize: 227, LRNBias: 2},
		{Arch: ArchTorchvision, Channels: [5]int{5, 7, 9, 3, 2}, Hidden: 11, NumClasses: 200, InputSize: 224},
		{Arch: ArchTiny, Channels: [5]int{5, 7, 9, 3, 2}, Hidden: 11, NumClasses: 10, InputSize: 64},
		{Arch: ArchTinyBN, Channels: [5]int{5, 7, 9, 3, 2}, Hidden: 11, NumClasses: 10, InputSize: 64},
	} {
		m, err := New(want)
		if err != nil {
			t.Fatal(err)
		}
		got, err := InferConfig(want.Arch, m.StateDict())
		if err != nil || got != want {
			t.Errorf("InferConfig(%s) = %+v, %v; want %+v", want.Arch, got, err, want)
		}
		if a := DetectArch(m.StateDict()); a != want.Arch {
			t.Errorf("DetectArch of a %s state dict: %q", want.Arch, a)
		}
	}
	got, err := InferConfig(ArchTorchvision, map[string]*tensor.Tensor{"classifier.6.weight": tensor.New(10, 4096)})
	if want := TorchvisionConfig(); err != nil || got.Channels != want.Channels || got.NumClasses != 10 {
		t.Errorf("partial state dict: %+v, %v", got, err)
	}
	var ce *ConfigError
	if _, err := InferConfig("vgg", nil); !errors.As(err, &ce) {
		t.Errorf("unknown arch: err = %v", err)
	}
}
