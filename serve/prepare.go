package serve

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"image"
	"image/png"
	"time"

	"github.com/alexnet-go/alexnet/imageproc"
	"github.com/alexnet-go/alexnet/predict"
	"github.com/alexnet-go/alexnet/tensor"
)

// prepared is one decoded, preprocessed image, ready for the model.
type prepared struct {
	x      *tensor.Tensor // (3,S,S), as predict's preprocessing makes it
	header header
	crop   *imageproc.RGB  // the S×S crop the model sees (before ToTensor)
	box    image.Rectangle // that crop, in the source image's pixels
}

// prepare checks the pixel limit from the header, then decodes and
// preprocesses data on one of the decoding workers (waiting for a free one
// while ctx allows).
func (s *Server) prepare(ctx context.Context, data []byte, name string) (*prepared, error) {
	h, err := checkPixels(data, s.opt.MaxPixels)
	if err != nil {
		return nil, err
	}
	select {
	case s.workers <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-s.workers }()
	start := time.Now()
	img, err := predict.DecodeBytes(data, name)
	if err != nil {
		return nil, err
	}
	dst, _ := s.inputs.Get().(*tensor.Tensor)
	x, crop, box := transform(img, s.pred.Transform, dst)
	imageproc.Recycle(img) // the decoded photo: only its crop, a copy, is kept
	if x == nil {
		return nil, &imageproc.DecodeError{File: name, Format: string(h.Format), Err: errors.New("image has no pixels")}
	}
	s.metrics.decode.Observe(time.Since(start).Seconds())
	return &prepared{x: x, header: h, crop: crop, box: box}, nil
}

// transform is imageproc.Preprocess(img, opt) in its two stages, keeping
// the crop the model sees: ResizeCrop, then NormalizeInto, the same
// functions in the same order, so x is bit for bit what predict gives. x
// is dst when dst has the crop's shape, else a new tensor. box is the crop
// in img's pixels. x is nil when img has no pixels.
func transform(img *imageproc.RGB, opt *imageproc.Options, dst *tensor.Tensor) (x *tensor.Tensor, crop *imageproc.RGB, box image.Rectangle) {
	if opt == nil {
		opt = imageproc.DefaultOptions()
	}
	w, h := img.W, img.H
	if w <= 0 || h <= 0 {
		return nil, nil, image.Rectangle{}
	}
	box = image.Rect(0, 0, w, h)
	if crop = imageproc.ResizeCrop(img, opt.ResizeSize, opt.CropSize); crop == nil {
		return nil, nil, box
	}
	if opt.CropSize > 0 {
		rw, rh := w, h // after the resize
		if opt.ResizeSize > 0 {
			rw, rh = imageproc.ResizeShape(w, h, opt.ResizeSize)
		}
		r := imageproc.CenterCropRect(rw, rh, opt.CropSize, opt.CropSize)
		sx, sy := float64(w)/float64(rw), float64(h)/float64(rh)
		box = image.Rect(round(float64(r.Min.X)*sx), round(float64(r.Min.Y)*sy),
			round(float64(r.Max.X)*sx), round(float64(r.Max.Y)*sy))
	}
	if dst == nil || !tensor.SameShape(dst.Shape, []int{3, crop.H, crop.W}) {
		dst = tensor.New(3, crop.H, crop.W)
	}
	imageproc.NormalizeInto(dst.Data, crop, opt.Mean, opt.Std)
	return dst, crop, box
}

// round is v rounded to the nearest integer, halves away from zero.
func round(v float64) int {
	if v < 0 {
		return -int(-v + 0.5)
	}
	return int(v + 0.5)
}

// pngDataURL encodes m as a PNG data: URL, for the page to show.
func pngDataURL(m *imageproc.RGB) string {
	img := image.NewNRGBA(image.Rect(0, 0, m.W, m.H))
	for i := range m.W * m.H {
		copy(img.Pix[4*i:4*i+3], m.Pix[3*i:3*i+3])
		img.Pix[4*i+3] = 255
	}
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	enc.Encode(&b, img) // writing to a bytes.Buffer does not fail
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes())
}
