package imageproc

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/alexnet-go/alexnet/tensor"
)

// PreprocessInto gives Preprocess's tensor bit for bit, writes over dst
// when it has the crop's shape, keeps the crop, and puts the box at the
// centre crop in the source's pixels.
func TestPreprocessInto(t *testing.T) {
	src := randomRGB(300, 200, 3)
	want, err := Preprocess(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	reused := tensor.New(3, 224, 224)
	for _, dst := range []*tensor.Tensor{nil, reused, tensor.New(3, 5, 7)} {
		p, err := PreprocessInto(dst, src, nil)
		if err != nil {
			t.Fatal(err)
		}
		if (dst == reused) != (p.X == reused) || !slices.Equal(p.X.Data, want.Data) {
			t.Errorf("dst %v: reused %v, or the tensor differs from Preprocess", dst, p.X == reused)
		}
		if p.Crop.W != 224 || p.Crop.H != 224 {
			t.Errorf("crop %dx%d", p.Crop.W, p.Crop.H)
		}
		// 384×256 after the resize, crop at (80,16); ×300/384 is (62.5,12.5)
		// to (237.5,187.5), rounded away from zero.
		if p.Box != image.Rect(63, 13, 238, 188) {
			t.Errorf("box %v", p.Box)
		}
	}
	p, err := PreprocessInto(nil, src, &Options{Mean: ImageNetMean, Std: ImageNetStd})
	if err != nil || p.Box != image.Rect(0, 0, 300, 200) {
		t.Errorf("no crop: box %v, %v", p.Box, err)
	}
}

// An *RGB is an image.Image: FromImage gives it back byte for byte, and
// At reads opaque pixels.
func TestRGBImage(t *testing.T) {
	src := randomRGB(5, 3, 4)
	var img image.Image = src
	if got := FromImage(img); !bytes.Equal(got.Pix, src.Pix) || got.W != 5 || got.H != 3 || &got.Pix[0] == &src.Pix[0] {
		t.Error("FromImage(*RGB) is not a copy of its pixels")
	}
	p := src.Pix[3*(2*5+4):]
	if c := img.At(4, 2); c != (color.RGBA{p[0], p[1], p[2], 255}) {
		t.Errorf("At(4,2) = %v", c)
	}
	if c := img.At(5, 0); c != (color.RGBA{}) || img.Bounds() != image.Rect(0, 0, 5, 3) {
		t.Errorf("At outside = %v, bounds %v", c, img.Bounds())
	}
	// The generic path (through At) agrees with the fast one.
	if got := fromImage(struct{ image.Image }{img}, false); !bytes.Equal(got.Pix, src.Pix) {
		t.Error("FromImage through At differs")
	}
}

// DecodeBytes names its errors with a *FileError; without a name they are
// bare.
func TestDecodeBytesNames(t *testing.T) {
	_, err := DecodeBytes([]byte("text"), "upload.jpg")
	var fe *FileError
	if !errors.As(err, &fe) || fe.Name != "upload.jpg" || !errors.As(err, new(*UnknownFormatError)) ||
		err.Error() != "imageproc: upload.jpg: unknown image format (content starts 74 65 78 74)" {
		t.Errorf("named: %v", err)
	}
	if _, err := DecodeBytes(nil, ""); errors.As(err, &fe) || err.Error() != "imageproc: empty file" {
		t.Errorf("unnamed: %v", err)
	}
	if err := WithName(ErrNoPixels, "a"); err.Error() != "imageproc: a: image has no pixels" || !errors.Is(err, ErrNoPixels) {
		t.Errorf("WithName: %v", err)
	}
	if err := WithName(os.ErrClosed, "a"); err.Error() != "a: "+os.ErrClosed.Error() {
		t.Errorf("WithName of another error: %v", err)
	}
}

// The header reader agrees with the decoder on every fixture image: the
// same size, from the header alone.
func TestDecodeConfigMatchesDecode(t *testing.T) {
	var files []string
	for _, dir := range []string{"../testdata/imageproc", "../testdata/jpeg"} {
		all, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range all {
			if ext := filepath.Ext(e.Name()); ext != ".npy" && ext != ".json" && ext != ".raw" && ext != ".txt" {
				files = append(files, filepath.Join(dir, e.Name()))
			}
		}
	}
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		img, err := DecodeBytes(data, f)
		if err != nil {
			continue
		}
		c, err := DecodeConfig(data, f)
		if err != nil {
			t.Errorf("%s: decodes but its header does not: %v", f, err)
			continue
		}
		if c.Width != img.W || c.Height != img.H || c.Format != Sniff(data) || c.Pixels() != int64(img.W*img.H) {
			t.Errorf("%s: header %+v, decoded %dx%d", f, c, img.W, img.H)
		}
		n++
	}
	if n < 50 {
		t.Errorf("only %d fixture images checked", n)
	}
	if _, err := DecodeConfig([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 4}, "h.jpg"); !errors.As(err, new(*DecodeError)) {
		t.Errorf("JPEG header only: %v", err)
	}
	if c := (Config{Width: math.MaxInt32, Height: math.MaxInt32}); c.Pixels() != int64(math.MaxInt32)*math.MaxInt32 {
		t.Errorf("Pixels overflows: %d", c.Pixels())
	}
}

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
