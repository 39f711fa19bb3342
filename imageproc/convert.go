package imageproc

import (
	"image"
	"image/color"

	"github.com/alexnet-go/alexnet/imageproc/jpeg"
)

// FromImage converts a decoded image to RGB with Pillow 9.4's
// convert("RGB") rules for the mode PIL gives the same file:
//
//   - *image.RGBA, *image.NRGBA: the R, G, B bytes as stored; alpha is
//     dropped, never composited (PIL's rgba2rgb copies the bytes).
//   - *jpeg.RGB, *RGB: the packed bytes as they are (copied a row or the
//     whole buffer at a time).
//   - *image.Gray ("L", "1"): Y replicated to R, G, B.
//   - *image.Gray16 (16-bit grayscale PNG/TIFF, PIL mode "I" or "I;16"):
//     min(Y, 255) replicated: PIL clips, it does not scale.
//   - *image.RGBA64, *image.NRGBA64 (16-bit colour, PIL "RGB;16B" etc.): the
//     high byte of each stored sample.
//   - *image.CMYK: PIL's cmyk2rgb, R = clip(nk - (t + t>>8)>>8) with
//     nk = 255-K and t = C*nk + 128, and likewise G from M, B from Y.
//   - *image.Paletted ("P"): each index through the palette's stored R, G, B
//     (color.NRGBA and color.RGBA entries are read as stored).
//   - *image.YCbCr, *image.NYCbCrA: Go's color.YCbCrToRGB per pixel with
//     nearest chroma, which is not PIL's; Decode converts lossy WebP
//     planes with libwebp's own rules instead (webpToRGB).
//   - anything else: color.NRGBAModel's R, G, B (high bytes).
func FromImage(img image.Image) *RGB {
	return fromImage(img, false)
}

// fromImage is FromImage; gray16 says 16-bit NRGBA64 samples came from a
// grayscale source (PNG colour type 0 with tRNS), which PIL opens as mode
// "I" and clips rather than taking the high byte.
func fromImage(img image.Image, gray16 bool) *RGB {
	if m, ok := img.(*image.NYCbCrA); ok {
		img = &m.YCbCr
	}
	b := img.Bounds()
	out := NewRGB(b.Dx(), b.Dy())
	switch m := img.(type) {
	case *RGB:
		copy(out.Pix, m.Pix)
	case *jpeg.RGB:
		rows(out, func(y int, dst []uint8) { copy(dst, m.Pix[y*m.Stride:]) })
	case *image.RGBA:
		packedAt(m.Pix, m.Stride, m.PixOffset(b.Min.X, b.Min.Y), 4).channels(out, 0, 1, 2)
	case *image.NRGBA:
		packedAt(m.Pix, m.Stride, m.PixOffset(b.Min.X, b.Min.Y), 4).channels(out, 0, 1, 2)
	case *image.RGBA64:
		packedAt(m.Pix, m.Stride, m.PixOffset(b.Min.X, b.Min.Y), 8).channels(out, 0, 2, 4)
	case *image.NRGBA64:
		p := packedAt(m.Pix, m.Stride, m.PixOffset(b.Min.X, b.Min.Y), 8)
		if gray16 {
			p.gray(out, true)
		} else {
			p.channels(out, 0, 2, 4)
		}
	case *image.Gray:
		packedAt(m.Pix, m.Stride, m.PixOffset(b.Min.X, b.Min.Y), 1).gray(out, false)
	case *image.Gray16:
		packedAt(m.Pix, m.Stride, m.PixOffset(b.Min.X, b.Min.Y), 2).gray(out, true)
	case *image.CMYK:
		packedAt(m.Pix, m.Stride, m.PixOffset(b.Min.X, b.Min.Y), 4).cmyk(out)
	case *image.Paletted:
		fromPaletted(out, m)
	case *image.YCbCr:
		fromYCbCr(out, m)
	default:
		fromColors(out, img)
	}
	return out
}

// packed is an image stored as rows of pix, stride bytes apart, n bytes a
// pixel, whose top-left pixel (of its bounds) starts at off.
type packed struct {
	pix            []uint8
	stride, off, n int
}

func packedAt(pix []uint8, stride, off, n int) packed {
	return packed{pix: pix, stride: stride, off: off, n: n}
}

// row returns the bytes from the start of row y.
func (p packed) row(y int) []uint8 { return p.pix[p.off+y*p.stride:] }

// channels fills out with the bytes at offsets r, g, b of each pixel.
func (p packed) channels(out *RGB, r, g, b int) {
	rows(out, func(y int, dst []uint8) {
		src := p.row(y)
		for x := range out.W {
			s := src[p.n*x:]
			dst[3*x], dst[3*x+1], dst[3*x+2] = s[r], s[g], s[b]
		}
	})
}

// gray fills out with each pixel's first sample replicated: a byte, or
// with wide a big-endian 16-bit value clipped as PIL's I -> RGB does.
func (p packed) gray(out *RGB, wide bool) {
	rows(out, func(y int, dst []uint8) {
		src := p.row(y)
		for x := range out.W {
			v := src[p.n*x]
			if wide {
				v = clip16(v, src[p.n*x+1])
			}
			dst[3*x], dst[3*x+1], dst[3*x+2] = v, v, v
		}
	})
}

// cmyk fills out with PIL's cmyk2rgb of each C, M, Y, K pixel.
func (p packed) cmyk(out *RGB) {
	rows(out, func(y int, dst []uint8) {
		src := p.row(y)
		for x := range out.W {
			s := src[4*x : 4*x+4]
			nk := 255 - int(s[3])
			dst[3*x], dst[3*x+1], dst[3*x+2] = cmyk1(s[0], nk), cmyk1(s[1], nk), cmyk1(s[2], nk)
		}
	})
}

// fromPaletted fills out with each index's palette entry as stored.
func fromPaletted(out *RGB, m *image.Paletted) {
	var lut [256][3]uint8
	for i, c := range m.Palette {
		if i < 256 {
			lut[i] = storedRGB(c)
		}
	}
	b := m.Rect
	rows(out, func(y int, dst []uint8) {
		src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
		for x := range out.W {
			p := &lut[src[x]]
			dst[3*x], dst[3*x+1], dst[3*x+2] = p[0], p[1], p[2]
		}
	})
}

// fromYCbCr fills out with color.YCbCrToRGB of each pixel, nearest chroma.
func fromYCbCr(out *RGB, m *image.YCbCr) {
	b := m.Rect
	rows(out, func(y int, dst []uint8) {
		for x := range out.W {
			yi, ci := m.YOffset(b.Min.X+x, b.Min.Y+y), m.COffset(b.Min.X+x, b.Min.Y+y)
			dst[3*x], dst[3*x+1], dst[3*x+2] = color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
		}
	})
}

// fromColors fills out through img.At, each colour's R, G, B as stored.
func fromColors(out *RGB, img image.Image) {
	b := img.Bounds()
	rows(out, func(y int, dst []uint8) {
		for x := range out.W {
			c := storedRGB(img.At(b.Min.X+x, b.Min.Y+y))
			dst[3*x], dst[3*x+1], dst[3*x+2] = c[0], c[1], c[2]
		}
	})
}

// rows calls f with each output row of out.
func rows(out *RGB, f func(y int, dst []uint8)) {
	for y := 0; y < out.H; y++ {
		f(y, out.Pix[3*y*out.W:3*(y+1)*out.W])
	}
}

// clip16 is PIL's I -> RGB for a big-endian 16-bit sample: min(v, 255).
func clip16(hi, lo uint8) uint8 {
	if hi != 0 {
		return 255
	}
	return lo
}

// cmyk1 is one channel of Pillow 9.4's cmyk2rgb (Convert.c):
// CLIP8(nk - MULDIV255(c, nk)), MULDIV255(a, b) = (t + t>>8) >> 8 with
// t = a*b + 128.
func cmyk1(c uint8, nk int) uint8 {
	t := int(c)*nk + 128
	v := nk - (t+t>>8)>>8
	return uint8(min(max(v, 0), 255))
}

// storedRGB returns a colour's R, G, B as stored, without premultiplying
// by alpha where the type keeps them apart.
func storedRGB(c color.Color) [3]uint8 {
	switch c := c.(type) {
	case color.RGBA:
		return [3]uint8{c.R, c.G, c.B}
	case color.NRGBA:
		return [3]uint8{c.R, c.G, c.B}
	case color.Gray:
		return [3]uint8{c.Y, c.Y, c.Y}
	}
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	return [3]uint8{n.R, n.G, n.B}
}
