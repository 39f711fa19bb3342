package weights_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
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

// TestONNXExportRoundTrip: each architecture's narrow fixture, written by
// WriteONNX and read back by ReadONNX, is the same tensors, read as the
// same architecture with the metadata it was written with (for the
// original, an LRN bias of 2: not Caffe's layout).
func TestONNXExportRoundTrip(t *testing.T) {
	for name, arch := range map[string]string{"tv_narrow": "torchvision", "orig_narrow": "original", "tiny_narrow": "tiny", "tiny_bn_narrow": "tiny-bn"} {
		t.Run(name, func(t *testing.T) {
			dir := testutil.Testdata(t, "model", name)
			cfg := testutil.ReadNarrowConfig(t, dir)
			sd := weights.NewStateDict()
			for k, v := range testutil.NarrowStateDict(t, dir, cfg.StateDict) {
				if !strings.HasSuffix(k, "num_batches_tracked") {
					if err := sd.Add(k, v); err != nil {
						t.Fatal(err)
					}
				}
			}
			var buf bytes.Buffer
			e := weights.ONNXExport{Arch: arch, Mean: [3]float32{0.25, 0.5, 0.75}, Std: [3]float32{1, 2, 3}}
			if err := weights.WriteONNX(&buf, sd, e); err != nil {
				t.Fatal(err)
			}
			back, err := weights.ReadONNX(bytes.NewReader(buf.Bytes()), int64(buf.Len()), nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(back.Names) != len(sd.Names) {
				t.Fatalf("%d tensors, want %d", len(back.Names), len(sd.Names))
			}
			for _, k := range sd.Names {
				if g := back.Get(k); g == nil || !slices.Equal(g.Data, sd.Get(k).Data) || !slices.Equal(g.Shape, sd.Get(k).Shape) {
					t.Errorf("%s differs", k)
				}
			}
			m := back.Metadata
			want := map[string]string{weights.MetaArch: arch, weights.MetaInputSize: fmt.Sprint(cfg.InputSize),
				weights.MetaMean: "0.25,0.5,0.75", weights.MetaStd: "1,2,3", weights.MetaOpset: "13", weights.MetaLayout: ""}
			if arch == "original" {
				want[weights.MetaLRNBias] = "2"
			}
			for k, v := range want {
				if m[k] != v {
					t.Errorf("metadata %s = %q, want %q", k, m[k], v)
				}
			}
		})
	}
}
