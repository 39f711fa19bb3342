package imageproc

import (
	"image"
	"image/color"

	"github.com/alexnet-go/alexnet/internal/bufpool"
)

// RGB is an 8-bit RGB image, the layout of PIL's "RGB" mode as NumPy sees
// it: pixel (x, y) is Pix[3*(y*W+x) : 3*(y*W+x)+3], rows packed with stride
// 3*W. It implements image.Image (opaque, bounds (0,0)-(W,H)).
type RGB struct {
	W, H int
	Pix  []uint8
}

// NewRGB returns a black w×h image. Negative sizes are treated as 0.
func NewRGB(w, h int) *RGB {
	w, h = max(w, 0), max(h, 0)
	return &RGB{W: w, H: h, Pix: make([]uint8, 3*w*h)}
}

// ColorModel is color.RGBAModel: every pixel is opaque.
func (m *RGB) ColorModel() color.Model { return color.RGBAModel }

// Bounds is (0,0)-(W,H).
func (m *RGB) Bounds() image.Rectangle { return image.Rect(0, 0, m.W, m.H) }

// At returns pixel (x, y) as an opaque color.RGBA; outside the bounds,
// the zero colour.
func (m *RGB) At(x, y int) color.Color {
	if !(image.Point{x, y}.In(m.Bounds())) {
		return color.RGBA{}
	}
	p := m.Pix[3*(y*m.W+x):]
	return color.RGBA{R: p[0], G: p[1], B: p[2], A: 255}
}

// Recycle hands m's pixel buffer to later decodes and resizes to reuse
// (a server decoding photos all day then reuses warm memory). m must not
// be used afterwards, nor anything sharing its pixels. A nil m is ignored.
func Recycle(m *RGB) {
	if m != nil {
		bufpool.Put(m.Pix)
	}
}

// valid reports whether m's buffer matches its dimensions.
func (m *RGB) valid() bool {
	return m != nil && m.W >= 0 && m.H >= 0 && len(m.Pix) == 3*m.W*m.H
}

// row returns row y of m's pixels.
func (m *RGB) row(y int) []uint8 { return m.Pix[3*y*m.W : 3*(y+1)*m.W] }

// FlipH returns src mirrored left to right (PIL's FLIP_LEFT_RIGHT,
// torchvision's hflip): pixel x moves to W-1-x. A malformed src gives nil.
func FlipH(src *RGB) *RGB {
	if !src.valid() {
		return nil
	}
	out := NewRGB(src.W, src.H)
	w := src.W
	for y := range src.H {
		s, d := src.row(y), out.row(y)
		for x := range w {
			copy(d[3*(w-1-x):3*(w-x)], s[3*x:3*x+3])
		}
	}
	return out
}
