package weights_test

import (
	"fmt"
	"testing"

	"github.com/alexnet-go/alexnet/internal/testutil"
	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/weights"
)

// TestONNXLogits loads each torch.onnx.export of the narrow torchvision
// AlexNet (testdata/gen/tv_onnx.py: opsets 11, 13, 17, static and dynamic
// batch), builds the model its shapes describe, and compares the logits
// of the fixture batch with PyTorch's.
func TestONNXLogits(t *testing.T) {
	dir := testutil.Testdata(t, "model", "tv_narrow")
	x := testutil.NarrowInput(t, dir)
	want := testutil.ReadTensor(t, dir+"/logits.npy")
	for _, opset := range []int{11, 13, 17} {
		for _, dyn := range []string{"", "_dyn"} {
			name := fmt.Sprintf("tv_narrow_op%d%s.onnx", opset, dyn)
			t.Run(name, func(t *testing.T) {
				sd, err := weights.Load(testutil.Testdata(t, "onnx", name), nil)
				if err != nil {
					t.Fatal(err)
				}
				arch := model.DetectArch(sd.Tensors)
				cfg, err := model.InferConfig(arch, sd.Tensors)
				if err != nil {
					t.Fatal(err)
				}
				if arch != model.ArchTorchvision || cfg.Channels != [5]int{8, 16, 24, 16, 16} || cfg.Hidden != 32 || cfg.NumClasses != 10 {
					t.Fatalf("inferred %s %+v", arch, cfg)
				}
				m, err := model.New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				if err := m.LoadStateDict(sd.Tensors); err != nil {
					t.Fatal(err)
				}
				got, err := m.Forward(x)
				if err != nil {
					t.Fatal(err)
				}
				testutil.CheckClose(t, "logits", got, want, 1e-4)
			})
		}
	}
}
