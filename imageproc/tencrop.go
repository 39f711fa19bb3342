package imageproc

import (
	"fmt"
	"image"

	"github.com/alexnet-go/alexnet/tensor"
)

// TenCrop returns the ten input tensors of the 2012 paper's test procedure
// as torchvision 0.14 writes it:
//
//	Compose([Resize(R), TenCrop(S), Lambda(crops: stack([Normalize(ToTensor(c)) for c in crops]))])
//
// with R = opt.ResizeSize (0: no resize) and S = opt.CropSize, in
// F.five_crop's order top-left, top-right, bottom-left, bottom-right,
// centre, then the same five of the horizontally flipped image (FlipH).
// Errors are Preprocess's, and an *OptionsError when S is 0 or does not
// fit the resized image.
func TenCrop(img *RGB, opt *Options) ([]*tensor.Tensor, error) {
	opt, err := opt.orDefault()
	if err != nil {
		return nil, err
	}
	if err := checkImage("TenCrop", img); err != nil {
		return nil, err
	}
	if opt.ResizeSize > 0 {
		img = Resize(img, opt.ResizeSize)
	}
	s := opt.CropSize
	if s <= 0 || s > img.W || s > img.H {
		return nil, &OptionsError{Msg: fmt.Sprintf("ten-crop size %d does not fit the %d×%d image", s, img.W, img.H)}
	}
	out := make([]*tensor.Tensor, 0, 10)
	for _, m := range []*RGB{img, FlipH(img)} {
		for _, r := range FiveCropRects(m.W, m.H, s) {
			out = append(out, Normalize(ToTensor(Crop(m, r)), opt.Mean, opt.Std))
		}
	}
	return out, nil
}

// FiveCropRects returns the boxes of torchvision 0.14's F.five_crop of a
// w×h image with crop s×s, in its order: top-left, top-right, bottom-left,
// bottom-right, centre (CenterCropRect).
func FiveCropRects(w, h, s int) [5]image.Rectangle {
	return [5]image.Rectangle{
		image.Rect(0, 0, s, s),
		image.Rect(w-s, 0, w, s),
		image.Rect(0, h-s, s, h),
		image.Rect(w-s, h-s, w, h),
		CenterCropRect(w, h, s, s),
	}
}
