package imageproc

import (
	"fmt"

	"github.com/alexnet-go/alexnet/internal/bufpool"
)

// RGB is an 8-bit RGB image, the layout of PIL's "RGB" mode as NumPy sees
// it: pixel (x, y) is Pix[3*(y*W+x) : 3*(y*W+x)+3], rows packed with stride
// 3*W.
type RGB struct {
	W, H int
	Pix  []uint8
}

// NewRGB returns a black w×h image. Negative sizes are treated as 0.
func NewRGB(w, h int) *RGB {
	w, h = max(w, 0), max(h, 0)
	return &RGB{W: w, H: h, Pix: make([]uint8, 3*w*h)}
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

// SizeError reports an *RGB whose Pix length does not match 3*W*H, or a
// non-positive output size, passed to a step that returns an error.
type SizeError struct {
	Op   string
	W, H int
	Len  int
}

func (e *SizeError) Error() string {
	return fmt.Sprintf("imageproc.%s: image %dx%d with %d bytes of pixels (want %d)", e.Op, e.W, e.H, e.Len, 3*e.W*e.H)
}
