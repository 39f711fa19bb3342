package serve

import (
	"bytes"
	"context"
	"encoding/base64"
	"image"
	"image/png"
	"time"

	"github.com/alexnet-go/alexnet/imageproc"
	"github.com/alexnet-go/alexnet/tensor"
)

// prepared is one decoded, preprocessed image, ready for the model.
type prepared struct {
	x      *tensor.Tensor   // (3,S,S), as predict's preprocessing makes it
	header imageproc.Config // what the image's header says
	crop   *imageproc.RGB   // the S×S crop the model sees (before ToTensor)
	box    image.Rectangle  // that crop, in the source image's pixels
}

// prepare checks the pixel limit from the header, then decodes and
// preprocesses data (imageproc.PreprocessInto, over a pooled tensor) on
// one of the decoding workers (waiting for a free one while ctx allows).
func (s *Server) prepare(ctx context.Context, data []byte, name string) (*prepared, error) {
	h, err := checkPixels(data, name, s.opt.MaxPixels)
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
	img, err := imageproc.DecodeBytes(data, name)
	if err != nil {
		return nil, err
	}
	dst, _ := s.inputs.Get().(*tensor.Tensor)
	p, err := imageproc.PreprocessInto(dst, img, s.pred.Transform)
	imageproc.Recycle(img) // the decoded photo: only its crop, a copy, is kept
	if err != nil {
		return nil, imageproc.WithName(err, name)
	}
	s.metrics.decode.Observe(time.Since(start).Seconds())
	return &prepared{x: p.X, header: h, crop: p.Crop, box: p.Box}, nil
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
