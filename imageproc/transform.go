package imageproc

import (
	"errors"

	"github.com/alexnet-go/alexnet/tensor"
)

// Options are the evaluation transform's settings:
//
//	Compose([Resize(ResizeSize), CenterCrop(CropSize), ToTensor(), Normalize(Mean, Std)])
//
// A nil *Options means DefaultOptions. In a non-nil one every field is
// taken as written, except that ResizeSize 0 skips the resize and
// CropSize 0 skips the crop.
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

// Preprocess runs the transform of opt on img and returns the (3,H,W)
// tensor. It returns nil when img is nil or malformed (len(Pix) != 3*W*H)
// or when the resize has nothing to scale (a 0-pixel image).
func Preprocess(img *RGB, opt *Options) *tensor.Tensor {
	if opt == nil {
		opt = DefaultOptions()
	}
	if !img.valid() {
		return nil
	}
	if img = ResizeCrop(img, opt.ResizeSize, opt.CropSize); img == nil {
		return nil
	}
	return ToNormalizedTensor(img, opt.Mean, opt.Std)
}

// PreprocessFile decodes the named file (DecodeFile) and runs Preprocess.
func PreprocessFile(path string, opt *Options) (*tensor.Tensor, error) {
	img, err := DecodeFile(path)
	if err != nil {
		return nil, err
	}
	t := Preprocess(img, opt)
	if t == nil {
		return nil, &DecodeError{File: path, Err: errors.New("image has no pixels")}
	}
	return t, nil
}
