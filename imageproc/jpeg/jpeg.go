// Package jpeg decodes JPEG images exactly as libjpeg-turbo 2.1 does when
// called by Pillow 9.4: Image.open(f) followed by np.asarray gives the same
// bytes as Decode.
//
// The decoder implements the DCT processes of ITU-T T.81 with Huffman
// coding, baseline and extended sequential (SOF0, SOF1, Annex F) and
// progressive (SOF2, Annex G), and with arithmetic coding (the QM decoder
// of Annex D with the models of F.1.4.4 and G.1.3, DAC conditioning):
// sequential (SOF9) and progressive (SOF10); 8-bit samples, 1, 3 or 4
// components, restart intervals.
// Each stage reproduces the libjpeg-turbo source file named in its doc
// comment: the islow inverse DCT (jidctint.c), fancy and integral chroma
// upsampling (jdsample.c) and the fixed-point colour conversion (jdcolor.c),
// with libjpeg's colour-space guess (jdapimin.c) and Pillow's choice of
// output mode (JpegImagePlugin.py: the number of components alone picks L,
// RGB or CMYK, and CMYK is read with the inverting "CMYK;I" raw mode).
//
// Decode and DecodeConfig are safe for concurrent use.
package jpeg

import (
	"image"
	"image/color"
	"io"
)

// maxPixels bounds width*height before any pixel memory is allocated. It is
// Pillow's DecompressionBombError threshold (2 * Image.MAX_IMAGE_PIXELS);
// tests lower it.
var maxPixels = 2 * 89478485

// maxScans bounds the number of scans decoded, so that a small file cannot
// make the decoder redo a whole image thousands of times (libjpeg-turbo's
// advice for untrusted input: a scan limit such as 500, djpeg -maxscans).
const maxScans = 500

// Decode decodes a JPEG into PIL's mode for it: *image.Gray ("L"),
// *image.RGBA with A=255 ("RGB"), or *image.CMYK holding exactly the bytes
// np.asarray(Image.open(f)) gives for a PIL "CMYK" image (Pillow inverts the
// CMYK that libjpeg returns, so Adobe CMYK files come back un-inverted and
// YCCK files come back as R, G, B, 255-K).
//
// Malformed or truncated data gives a FormatError; valid JPEGs outside what
// Pillow decodes (12-bit, lossless, hierarchical, fractional sampling
// ratios, 2 components...) give an UnsupportedError.
func Decode(r io.Reader) (image.Image, error) { return decodeImage(r, false) }

// DecodeRGB is Decode except that a 3-component JPEG (Pillow's "RGB") comes
// back as *RGB, written directly in packed form: the bytes of Decode's
// *image.RGBA without its alpha. Grayscale and CMYK JPEGs come back as
// Decode returns them.
func DecodeRGB(r io.Reader) (image.Image, error) { return decodeImage(r, true) }

// decodeImage reads and decodes r, packed as for DecodeRGB or not.
func decodeImage(r io.Reader, packed bool) (image.Image, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	d := &decoder{src: source{buf: data}}
	if err := d.decode(false); err != nil {
		return nil, err
	}
	return d.image(packed)
}

// RGB is a packed 8-bit RGB image, Pillow's "RGB" mode as NumPy lays it
// out: pixel (x, y) is Pix[(y-Rect.Min.Y)*Stride+3*(x-Rect.Min.X):][:3].
// Its colour model is color.RGBAModel, with A = 255.
type RGB struct {
	Pix    []uint8
	Stride int
	Rect   image.Rectangle
}

// ColorModel returns color.RGBAModel.
func (m *RGB) ColorModel() color.Model { return color.RGBAModel }

// Bounds returns m.Rect.
func (m *RGB) Bounds() image.Rectangle { return m.Rect }

// At returns the pixel at (x, y) as a color.RGBA with A = 255, or the zero
// colour outside m.Rect.
func (m *RGB) At(x, y int) color.Color {
	if !(image.Point{x, y}.In(m.Rect)) {
		return color.RGBA{}
	}
	i := (y-m.Rect.Min.Y)*m.Stride + 3*(x-m.Rect.Min.X)
	return color.RGBA{m.Pix[i], m.Pix[i+1], m.Pix[i+2], 255}
}

// DecodeConfig returns the dimensions and colour model of a JPEG by reading
// its markers up to the first start-of-frame, without decoding any pixels.
// The colour model follows the same rules as Decode: GrayModel, RGBAModel
// or CMYKModel.
func DecodeConfig(r io.Reader) (image.Config, error) {
	d := &decoder{src: source{r: r}}
	if err := d.decode(true); err != nil {
		return image.Config{}, err
	}
	var m color.Model
	switch len(d.comp) {
	case 1:
		m = color.GrayModel
	case 3:
		m = color.RGBAModel
	default:
		m = color.CMYKModel
	}
	return image.Config{ColorModel: m, Width: d.width, Height: d.height}, nil
}

// FormatError reports that the input is not a valid JPEG or is truncated.
type FormatError string

func (e FormatError) Error() string { return "jpeg: invalid format: " + string(e) }

// UnsupportedError reports a valid JPEG feature that this decoder, like
// Pillow with libjpeg-turbo, does not decode.
type UnsupportedError string

func (e UnsupportedError) Error() string { return "jpeg: unsupported feature: " + string(e) }

// errTruncated is returned when the input ends before the image does
// (Pillow: "image file is truncated").
var errTruncated = FormatError("image file is truncated")
