package imageproc

import (
	"fmt"
	"image"

	"github.com/alexnet-go/alexnet/tensor"
)

// Options are the evaluation transform's settings:
//
//	Compose([Resize(ResizeSize), CenterCrop(CropSize), ToTensor(), Normalize(Mean, Std)])
//
// A nil *Options means DefaultOptions. In a non-nil one every field is
// taken as written, except that ResizeSize 0 skips the resize and
// CropSize 0 skips the crop; negative sizes are an *OptionsError.
type Options struct {
	ResizeSize int // shorter side after Resize; 0 = no resize
	CropSize   int // side of the centre crop; 0 = no crop
	Mean, Std  [3]float32
}

// DefaultOptions returns the ImageNet evaluation settings: Resize(256),
// CenterCrop(224), ImageNet mean and std.
func DefaultOptions() *Options {
	return &Options{ResizeSize: 256, CropSize: 224, Mean: ImageNetMean, Std: ImageNetStd}
}

// orDefault is opt, or DefaultOptions for nil, after checking its sizes.
func (opt *Options) orDefault() (*Options, error) {
	if opt == nil {
		return DefaultOptions(), nil
	}
	if opt.ResizeSize < 0 || opt.CropSize < 0 {
		return nil, &OptionsError{Msg: fmt.Sprintf("negative size (resize %d, crop %d)", opt.ResizeSize, opt.CropSize)}
	}
	return opt, nil
}

// Preprocess runs the transform of opt on img and returns the (3,H,W)
// tensor. Errors: ErrNoPixels for a nil image or one without pixels, a
// *SizeError for a malformed one (len(Pix) != 3*W*H), an *OptionsError
// for negative sizes in opt.
func Preprocess(img *RGB, opt *Options) (*tensor.Tensor, error) {
	p, err := PreprocessInto(nil, img, opt)
	return p.X, err
}

// Preprocessed is what PreprocessInto makes of an image.
type Preprocessed struct {
	X    *tensor.Tensor  // the (3,H,W) input, Preprocess's tensor bit for bit
	Crop *RGB            // the resized, cropped image X normalises
	Box  image.Rectangle // Crop's area in the source image's pixels, rounded
}

// PreprocessInto is Preprocess in its two stages, keeping the crop the
// model sees (for display) and where it lies in img: ResizeCrop, then
// NormalizeInto, the same functions in the same order as Preprocess. X is
// dst when dst has the crop's shape, else a new tensor. Errors are
// Preprocess's.
func PreprocessInto(dst *tensor.Tensor, img *RGB, opt *Options) (Preprocessed, error) {
	opt, err := opt.orDefault()
	if err != nil {
		return Preprocessed{}, err
	}
	if err := checkImage("Preprocess", img); err != nil {
		return Preprocessed{}, err
	}
	crop := ResizeCrop(img, opt.ResizeSize, opt.CropSize)
	if dst == nil || !tensor.SameShape(dst.Shape, []int{3, crop.H, crop.W}) {
		dst = tensor.New(3, crop.H, crop.W)
	}
	NormalizeInto(dst.Data, crop, opt.Mean, opt.Std)
	return Preprocessed{X: dst, Crop: crop, Box: sourceBox(img.W, img.H, opt)}, nil
}

// sourceBox is the centre crop of opt in a w×h image's own pixels: the
// crop box after the resize, scaled back and rounded (halves away from
// zero); the whole image without a crop.
func sourceBox(w, h int, opt *Options) image.Rectangle {
	if opt.CropSize <= 0 {
		return image.Rect(0, 0, w, h)
	}
	rw, rh := w, h // after the resize
	if opt.ResizeSize > 0 {
		rw, rh = ResizeShape(w, h, opt.ResizeSize)
	}
	r := CenterCropRect(rw, rh, opt.CropSize, opt.CropSize)
	sx, sy := float64(w)/float64(rw), float64(h)/float64(rh)
	return image.Rect(round(float64(r.Min.X)*sx), round(float64(r.Min.Y)*sy),
		round(float64(r.Max.X)*sx), round(float64(r.Max.Y)*sy))
}

// round is v rounded to the nearest integer, halves away from zero.
func round(v float64) int {
	if v < 0 {
		return -int(-v + 0.5)
	}
	return int(v + 0.5)
}

// PreprocessFile decodes the named file (DecodeFile) and runs Preprocess;
// errors name the file.
func PreprocessFile(path string, opt *Options) (*tensor.Tensor, error) {
	img, err := DecodeFile(path)
	if err != nil {
		return nil, err
	}
	x, err := Preprocess(img, opt)
	return x, WithName(err, path)
}
