package imageproc

import (
	"image"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alexnet-go/alexnet/internal/npy"
)

// TestPILPipelineOnPILPixels feeds PIL's own decoded RGB of every format
// fixture through Resize, CenterCrop, ToTensor and Normalize and expects
// torchvision's hashes: the steps after decoding are exact whatever the
// decoder does.
func TestPILPipelineOnPILPixels(t *testing.T) {
	for _, c := range loadFixtures(t).Formats {
		stages(t, c.File+" (PIL pixels)", loadRGB(t, c.File+".rgb.npy"), c)
	}
}

// TestDecodeExact decodes every lossless, non-JPEG fixture (PNG in every
// colour type and depth, GIF, BMP, TIFF, lossless and lossy WebP) and expects PIL's
// convert("RGB") bytes exactly, then torchvision's resize, crop and tensor.
func TestDecodeExact(t *testing.T) {
	for _, c := range loadFixtures(t).Formats {
		if !c.Exact {
			continue
		}
		t.Run(c.File, func(t *testing.T) {
			got, want := decodeWithPIL(t, c)
			if worst, n := pixDiff(got, want); n > 0 {
				t.Fatalf("%s (%s): %d bytes differ from PIL, worst by %d", c.File, c.Note, n, worst)
			}
			stages(t, c.File, got, c)
		})
	}
}

// decodeWithPIL decodes a format fixture and loads PIL's pixels of it,
// failing unless both have the same size.
func decodeWithPIL(t *testing.T, c refCase) (got, want *RGB) {
	t.Helper()
	got, err := DecodeFile(filepath.Join(fixtureDir, c.File))
	if err != nil {
		t.Fatal(err)
	}
	want = loadRGB(t, c.File+".rgb.npy")
	if got.W != want.W || got.H != want.H {
		t.Fatalf("%s (%s): %dx%d, PIL %dx%d", c.File, c.Note, got.W, got.H, want.W, want.H)
	}
	return got, want
}

// TestJPEGMatchesPIL expects PIL's (libjpeg-turbo's) pixels for the JPEG
// fixtures.
func TestJPEGMatchesPIL(t *testing.T) {
	for _, c := range loadFixtures(t).Formats {
		if c.Format != "jpeg" {
			continue
		}
		t.Run(c.File, func(t *testing.T) {
			got, want := decodeWithPIL(t, c)
			if worst, n := pixDiff(got, want); n > 0 {
				cw, cn := pixDiff(CenterCrop(Resize(got, 256), 224), CenterCrop(Resize(want, 256), 224))
				t.Fatalf("%s (%s): %d of %d bytes differ from PIL, worst by %d; after resize+crop %d differ, worst by %d",
					c.File, c.Note, n, len(want.Pix), worst, cn, cw)
			}
			stages(t, c.File, got, c)
		})
	}
}

// TestResizeCases checks Resize(256), CenterCrop(224) and the tensor on
// PNG inputs: 64x64 upscale (full array compared), 37x53, 1x300, 300x1,
// 2x2, short side already 256 (unchanged), 301x271 and a 512x512 L
// photo (downscale).
func TestResizeCases(t *testing.T) {
	for _, c := range loadFixtures(t).Resize {
		img, err := DecodeFile(filepath.Join(fixtureDir, c.File))
		if err != nil {
			t.Fatal(err)
		}
		if got := hash(img.Pix); got != c.RGB {
			t.Fatalf("%s: decoded hash %s, PIL %s", c.File, got, c.RGB)
		}
		stages(t, c.File, img, c)
		if c.File == "resize_64x64.png" {
			want := loadRGB(t, c.File+".resize.npy")
			got := Resize(img, 256)
			if worst, n := pixDiff(got, want); n > 0 {
				t.Errorf("%s: Resize(256) differs from PIL in %d bytes, worst by %d", c.File, n, worst)
			}
		}
	}
}

// TestResizeUnchanged: torchvision returns the image itself when the short
// side already has the requested size.
func TestResizeUnchanged(t *testing.T) {
	img := NewRGB(256, 300)
	if Resize(img, 256) != img {
		t.Error("Resize(256) of a 256x300 image made a new image")
	}
	if w, h := ResizeShape(300, 256, 256); w != 300 || h != 256 {
		t.Errorf("ResizeShape(300,256,256) = %d,%d", w, h)
	}
}

// TestCenterCrop compares F.center_crop on a 37x53 image for crops that
// round half to even and crops that need zero padding.
func TestCenterCrop(t *testing.T) {
	f := loadFixtures(t)
	for _, c := range f.CenterCrop {
		src, err := DecodeFile(filepath.Join(fixtureDir, c.Src))
		if err != nil {
			t.Fatal(err)
		}
		want := loadRGB(t, c.File)
		got := Crop(src, CenterCropRect(src.W, src.H, c.Width, c.Height))
		if got.W != want.W || got.H != want.H {
			t.Errorf("%s: %dx%d, torchvision %dx%d", c.File, got.W, got.H, want.W, want.H)
			continue
		}
		if worst, n := pixDiff(got, want); n > 0 {
			t.Errorf("%s: %d bytes differ, worst by %d", c.File, n, worst)
		}
		if c.Width == c.Height {
			if sq := CenterCrop(src, c.Width); hash(sq.Pix) != hash(want.Pix) {
				t.Errorf("%s: CenterCrop(%d) differs from CenterCropRect", c.File, c.Width)
			}
		}
	}
}

// TestToTensorAllValues: ToTensor + Normalize of every uint8 value in every
// channel against torch, exactly.
func TestToTensorAllValues(t *testing.T) {
	src := loadRGB(t, "tensor_ramp.rgb.npy")
	want, err := npy.ReadFile(filepath.Join(fixtureDir, "tensor_ramp.npy"))
	if err != nil {
		t.Fatal(err)
	}
	got := Normalize(ToTensor(src), ImageNetMean, ImageNetStd)
	if d := maxAbs(got.Data, want.F32); d != 0 {
		t.Errorf("max abs diff %g from torch, want 0", d)
	}
}

// TestPreprocessOptions: Resize(40), CenterCrop(32), other mean/std, on a
// 37x53 image, against torchvision (tolerance 1e-6, expected 0).
func TestPreprocessOptions(t *testing.T) {
	src, err := DecodeFile(filepath.Join(fixtureDir, "resize_37x53.png"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := npy.ReadFile(filepath.Join(fixtureDir, "tensor_small.npy"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Preprocess(src, &Options{ResizeSize: 40, CropSize: 32, Mean: [3]float32{0.5, 0.4, 0.3}, Std: [3]float32{0.2, 0.25, 0.3}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Shape) != 3 || got.Shape[0] != 3 || got.Shape[1] != 32 || got.Shape[2] != 32 {
		t.Fatalf("shape %v, want [3 32 32]", got.Shape)
	}
	if d := maxAbs(got.Data, want.F32); d > 1e-6 {
		t.Errorf("max abs diff %g from torchvision", d)
	} else if d != 0 {
		t.Logf("max abs diff %g (within 1e-6)", d)
	}
}

// TestPreprocessFileDefaults: nil options are the ImageNet transform.
func TestPreprocessFileDefaults(t *testing.T) {
	for _, c := range loadFixtures(t).Resize {
		if c.File != "resize_37x53.png" {
			continue
		}
		got, err := PreprocessFile(filepath.Join(fixtureDir, c.File), nil)
		if err != nil {
			t.Fatal(err)
		}
		if h := tensorHash(got); h != c.Tensor {
			t.Errorf("tensor hash %s, torchvision %s", h, c.Tensor)
		}
	}
}

func maxAbs(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(float64(a[i])-float64(b[i])))
	}
	return d
}

// TestCropOutside: PIL's crop fills outside the image with zeros.
func TestCropOutside(t *testing.T) {
	src := &RGB{W: 2, H: 1, Pix: []uint8{1, 2, 3, 4, 5, 6}}
	got := Crop(src, image.Rect(-1, 0, 2, 2))
	want := []uint8{0, 0, 0, 1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	if got.W != 3 || got.H != 2 || string(got.Pix) != string(want) {
		t.Errorf("got %dx%d %v", got.W, got.H, got.Pix)
	}
	if m := Crop(src, image.Rect(5, 5, 7, 7)); m.W != 2 || strings.Count(string(m.Pix), "\x00") != 12 {
		t.Errorf("disjoint crop: %+v", m)
	}
}
