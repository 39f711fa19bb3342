package imageproc

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
)

// TestResizeCrop checks ResizeCrop against the staged CenterCrop(Resize())
// it computes in one go, on shapes that shrink, enlarge, keep one side,
// keep both, and crops that pad (the fallback), and that Preprocess, which
// uses it with ToNormalizedTensor, matches the staged transform.
func TestResizeCrop(t *testing.T) {
	shapes := [][2]int{{500, 375}, {375, 500}, {64, 64}, {256, 300}, {300, 256}, {256, 256},
		{257, 1000}, {1000, 257}, {3, 700}, {100, 40}, {224, 224}, {1, 1}, {230, 500}}
	params := [][2]int{{256, 224}, {224, 224}, {0, 224}, {256, 0}, {0, 0}, {72, 64}, {300, 299}, {256, 255}, {32, 300}}
	for i, sh := range shapes {
		src := randomRGB(sh[0], sh[1], uint64(i))
		for _, p := range params {
			size, crop := p[0], p[1]
			name := fmt.Sprintf("%dx%d/resize%d/crop%d", sh[0], sh[1], size, crop)
			want := src
			if size > 0 {
				want = Resize(want, size)
			}
			if crop > 0 {
				want = CenterCrop(want, crop)
			}
			got := ResizeCrop(src, size, crop)
			if got == nil || got.W != want.W || got.H != want.H || !bytes.Equal(got.Pix, want.Pix) {
				t.Errorf("%s: ResizeCrop differs from CenterCrop(Resize())", name)
				continue
			}
			opt := &Options{ResizeSize: size, CropSize: crop, Mean: ImageNetMean, Std: ImageNetStd}
			x, err := Preprocess(src, opt)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			staged := Normalize(ToTensor(want), opt.Mean, opt.Std)
			if !slices.Equal(x.Shape, staged.Shape) || !slices.Equal(x.Data, staged.Data) {
				t.Errorf("%s: Preprocess differs from Normalize(ToTensor(CenterCrop(Resize())))", name)
			}
		}
	}
	if ResizeCrop(nil, 256, 224) != nil || ResizeCrop(&RGB{W: 2, H: 2}, 256, 224) != nil || ResizeCrop(NewRGB(0, 5), 256, 224) != nil {
		t.Error("nil, malformed or empty images should give nil")
	}
}

func BenchmarkResizeCrop500x375(b *testing.B) {
	src := randomRGB(500, 375, 2)
	for b.Loop() {
		ResizeCrop(src, 256, 224)
	}
}

func BenchmarkResizeThenCrop500x375(b *testing.B) {
	src := randomRGB(500, 375, 2)
	for b.Loop() {
		CenterCrop(Resize(src, 256), 224)
	}
}
