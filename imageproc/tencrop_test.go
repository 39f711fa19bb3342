package imageproc

import (
	"errors"
	"image"
	"slices"
	"testing"
)

// FiveCropRects follows F.five_crop's definition: crop(img, top, left, s, s)
// at (0,0), (0,w-s), (h-s,0), (h-s,w-s), then center_crop.
func TestFiveCropRects(t *testing.T) {
	got := FiveCropRects(7, 5, 3)
	want := [5]image.Rectangle{
		image.Rect(0, 0, 3, 3), image.Rect(4, 0, 7, 3), image.Rect(0, 2, 3, 5),
		image.Rect(4, 2, 7, 5), image.Rect(2, 1, 5, 4), // round(4/2)=2, round(2/2)=1
	}
	if got != want {
		t.Errorf("FiveCropRects(7,5,3) = %v, want %v", got, want)
	}
}

// FlipH mirrors each row: pixel x moves to w-1-x.
func TestFlipH(t *testing.T) {
	m := NewRGB(3, 2)
	for i := range m.Pix {
		m.Pix[i] = uint8(i)
	}
	want := []uint8{6, 7, 8, 3, 4, 5, 0, 1, 2, 15, 16, 17, 12, 13, 14, 9, 10, 11}
	if got := FlipH(m).Pix; string(got) != string(want) {
		t.Errorf("FlipH = %v, want %v", got, want)
	}
}

// TenCrop's ten tensors are the five crops of the resized image, then the
// same five of its mirror image, each Normalize(ToTensor(Crop)); a crop
// that does not fit and an image without pixels are errors.
func TestTenCrop(t *testing.T) {
	src := randomRGB(9, 7, 1)
	opt := &Options{ResizeSize: 6, CropSize: 4, Mean: ImageNetMean, Std: ImageNetStd}
	got, err := TenCrop(src, opt)
	if err != nil || len(got) != 10 {
		t.Fatalf("TenCrop: %d tensors, %v", len(got), err)
	}
	r := Resize(src, 6)
	for i, img := range []*RGB{r, FlipH(r)} {
		for j, box := range FiveCropRects(img.W, img.H, 4) {
			want := Normalize(ToTensor(Crop(img, box)), opt.Mean, opt.Std)
			if !slices.Equal(got[5*i+j].Shape, want.Shape) || !slices.Equal(got[5*i+j].Data, want.Data) {
				t.Errorf("crop %d differs from Normalize(ToTensor(Crop()))", 5*i+j)
			}
		}
	}
	if _, err := TenCrop(src, &Options{ResizeSize: 6, CropSize: 7}); !errors.As(err, new(*OptionsError)) {
		t.Errorf("oversized crop: %v, want an *OptionsError", err)
	}
	if _, err := TenCrop(NewRGB(0, 3), opt); !errors.Is(err, ErrNoPixels) {
		t.Errorf("empty image: %v, want ErrNoPixels", err)
	}
}
