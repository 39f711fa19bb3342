package predict

import (
	"fmt"
	"image"

	"github.com/alexnet-go/alexnet/imageproc"
	"github.com/alexnet-go/alexnet/tensor"
)

// TenCrop returns the ten input tensors of the 2012 paper's test procedure
// as torchvision 0.14 writes it:
//
//	Compose([Resize(R), TenCrop(S), Lambda(crops: stack([Normalize(ToTensor(c)) for c in crops]))])
//
// with R and S from p.Transform: F.five_crop's order top-left, top-right,
// bottom-left, bottom-right, centre, then the same five of the
// horizontally flipped image. name labels errors. TenCrop is safe for
// concurrent use.
func (p *Predictor) TenCrop(img *imageproc.RGB, name string) ([]*tensor.Tensor, error) {
	o := p.Transform
	if o == nil {
		o = imageproc.DefaultOptions()
	}
	if o.ResizeSize > 0 {
		img = imageproc.Resize(img, o.ResizeSize)
	}
	if img == nil || img.W == 0 || img.H == 0 {
		return nil, &imageproc.DecodeError{File: name, Err: fmt.Errorf("image has no pixels")}
	}
	s := o.CropSize
	if s <= 0 || s > img.W || s > img.H {
		return nil, fmt.Errorf("%s: ten-crop size %d does not fit the %d×%d image", name, s, img.W, img.H)
	}
	out := make([]*tensor.Tensor, 0, 10)
	for _, m := range []*imageproc.RGB{img, HFlip(img)} {
		for _, r := range FiveCropRects(m.W, m.H, s) {
			out = append(out, imageproc.Normalize(imageproc.ToTensor(imageproc.Crop(m, r)), o.Mean, o.Std))
		}
	}
	return out, nil
}

// FiveCropRects returns the boxes of torchvision 0.14's F.five_crop of a
// w×h image with crop s×s, in its order: top-left, top-right, bottom-left,
// bottom-right, centre (imageproc.CenterCropRect).
func FiveCropRects(w, h, s int) [5]image.Rectangle {
	return [5]image.Rectangle{
		image.Rect(0, 0, s, s),
		image.Rect(w-s, 0, w, s),
		image.Rect(0, h-s, s, h),
		image.Rect(w-s, h-s, w, h),
		imageproc.CenterCropRect(w, h, s, s),
	}
}

// HFlip returns img mirrored left to right (PIL's FLIP_LEFT_RIGHT).
func HFlip(img *imageproc.RGB) *imageproc.RGB {
	out := imageproc.NewRGB(img.W, img.H)
	for y := range img.H {
		row := img.Pix[3*y*img.W : 3*(y+1)*img.W]
		dst := out.Pix[3*y*img.W : 3*(y+1)*img.W]
		for x := range img.W {
			copy(dst[3*(img.W-1-x):3*(img.W-x)], row[3*x:3*x+3])
		}
	}
	return out
}
