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
//   - *jpeg.RGB: the packed bytes as they are.
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
	b := img.Bounds()
	out := NewRGB(b.Dx(), b.Dy())
	w := out.W
	switch m := img.(type) {
	case *image.RGBA:
		rows(out, func(y int, dst []uint8) {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				dst[3*x], dst[3*x+1], dst[3*x+2] = src[4*x], src[4*x+1], src[4*x+2]
			}
		})
	case *jpeg.RGB:
		rows(out, func(y int, dst []uint8) {
			copy(dst, m.Pix[y*m.Stride:])
		})
	case *image.NRGBA:
		rows(out, func(y int, dst []uint8) {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				dst[3*x], dst[3*x+1], dst[3*x+2] = src[4*x], src[4*x+1], src[4*x+2]
			}
		})
	case *image.Gray:
		rows(out, func(y int, dst []uint8) {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				v := src[x]
				dst[3*x], dst[3*x+1], dst[3*x+2] = v, v, v
			}
		})
	case *image.Gray16:
		rows(out, func(y int, dst []uint8) {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				v := clip16(src[2*x], src[2*x+1])
				dst[3*x], dst[3*x+1], dst[3*x+2] = v, v, v
			}
		})
	case *image.RGBA64:
		rows(out, func(y int, dst []uint8) {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				dst[3*x], dst[3*x+1], dst[3*x+2] = src[8*x], src[8*x+2], src[8*x+4]
			}
		})
	case *image.NRGBA64:
		rows(out, func(y int, dst []uint8) {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				if gray16 {
					v := clip16(src[8*x], src[8*x+1])
					dst[3*x], dst[3*x+1], dst[3*x+2] = v, v, v
				} else {
					dst[3*x], dst[3*x+1], dst[3*x+2] = src[8*x], src[8*x+2], src[8*x+4]
				}
			}
		})
	case *image.CMYK:
		rows(out, func(y int, dst []uint8) {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				s := src[4*x : 4*x+4]
				nk := 255 - int(s[3])
				dst[3*x], dst[3*x+1], dst[3*x+2] = cmyk1(s[0], nk), cmyk1(s[1], nk), cmyk1(s[2], nk)
			}
		})
	case *image.Paletted:
		var lut [256][3]uint8
		for i, c := range m.Palette {
			if i < 256 {
				lut[i] = storedRGB(c)
			}
		}
		rows(out, func(y int, dst []uint8) {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				p := &lut[src[x]]
				dst[3*x], dst[3*x+1], dst[3*x+2] = p[0], p[1], p[2]
			}
		})
	case *image.YCbCr:
		rows(out, func(y int, dst []uint8) {
			for x := 0; x < w; x++ {
				yi, ci := m.YOffset(b.Min.X+x, b.Min.Y+y), m.COffset(b.Min.X+x, b.Min.Y+y)
				dst[3*x], dst[3*x+1], dst[3*x+2] = color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
			}
		})
	case *image.NYCbCrA:
		return fromImage(&m.YCbCr, false)
	default:
		rows(out, func(y int, dst []uint8) {
			for x := 0; x < w; x++ {
				c := storedRGB(img.At(b.Min.X+x, b.Min.Y+y))
				dst[3*x], dst[3*x+1], dst[3*x+2] = c[0], c[1], c[2]
			}
		})
	}
	return out
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
