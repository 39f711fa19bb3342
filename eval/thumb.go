package eval

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/jpeg"

	"github.com/alexnet-go/alexnet/imageproc"
)

// ThumbSize is the side of the report's square thumbnails.
const ThumbSize = 64

// thumbnail returns a ThumbSize×ThumbSize JPEG of the encoded image data
// (resized on its shorter side, centre-cropped) as a data: URI, or "" when
// data is empty or does not decode.
func thumbnail(data []byte) string {
	if len(data) == 0 {
		return ""
	}
	img, err := imageproc.DecodeBytes(data, "")
	if err != nil {
		return ""
	}
	if img = imageproc.Resize(img, ThumbSize); img == nil {
		return ""
	}
	img = imageproc.CenterCrop(img, ThumbSize)
	m := image.NewRGBA(image.Rect(0, 0, img.W, img.H))
	for i := range img.W * img.H {
		copy(m.Pix[4*i:4*i+3], img.Pix[3*i:3*i+3])
		m.Pix[4*i+3] = 255
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 85}); err != nil {
		return ""
	}
	return "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(b.Bytes())
}
