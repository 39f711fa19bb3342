package heatmap

import (
	"image"
	"image/color"
	"math"
	"path/filepath"
	"testing"

	"github.com/alexnet-go/alexnet/internal/testutil"
	"github.com/alexnet-go/alexnet/tensor"
)

// TestUpsampleTorch compares Upsample with PyTorch's F.interpolate
// (bilinear, align_corners=False; testdata/gen/explain.py): within 1e-6
// relative (float64 here, float32 there).
func TestUpsampleTorch(t *testing.T) {
	var f struct {
		In    []float32 `json:"in"`
		H, W  int
		Cases []struct {
			H, W int
			Out  []float32 `json:"out"`
		} `json:"cases"`
	}
	testutil.ReadJSON(t, filepath.Join(testutil.Testdata(t, "explain"), "upsample.json"), &f)
	m := &tensor.Tensor{Shape: []int{f.H, f.W}, Data: f.In}
	for _, c := range f.Cases {
		got := Upsample(m, c.H, c.W)
		for i, want := range c.Out {
			if math.Abs(float64(got.Data[i]-want)) > 1e-6*max(1, math.Abs(float64(want))) {
				t.Fatalf("%d×%d: [%d] = %v, PyTorch %v", c.H, c.W, i, got.Data[i], want)
			}
		}
	}
}

// TestOverlay: the box gets the map's colours blended in (hot where the
// map is largest, cold where it is smallest), the rest is dimmed.
func TestOverlay(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 20, 10))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	m := &tensor.Tensor{Shape: []int{1, 2}, Data: []float32{0, 5}} // left cold, right hot
	out := Overlay(img, m, image.Rect(10, 0, 20, 10), 1)
	if c := out.RGBAAt(2, 5); c != (color.RGBA{100, 100, 100, 200}) {
		t.Errorf("outside the box: %v, want dimmed to half", c)
	}
	left, right := out.RGBAAt(10, 5), out.RGBAAt(19, 5)
	if !(left.B > left.R && right.R > right.B) {
		t.Errorf("left %v should be blue, right %v red", left, right)
	}
	if n := Normalize(&tensor.Tensor{Shape: []int{2}, Data: []float32{3, 3}}); n.Data[0] != 0 || n.Data[1] != 0 {
		t.Errorf("constant map normalized to %v, want zeros", n.Data)
	}
}
