package jpeg

import (
	"image"

	"github.com/alexnet-go/alexnet/internal/bufpool"
)

// planes runs the inverse DCT over buffered coefficients (progressive or
// multi-scan files), leaving every component's post-IDCT samples in plane,
// the data libjpeg's raw_data_out returns.
func (d *decoder) planes() {
	if !d.direct {
		for i := range d.comp {
			c := &d.comp[i]
			c.plane = bufpool.Get(c.bw * c.bh * 64)
			stride := c.bw * 8
			for by := 0; by < c.bh; by++ {
				for bx := 0; bx < c.bw; bx++ {
					b := (*[64]int16)(c.coef[(by*c.bw+bx)*64:])
					kernels.Get().idct(b, &c.q, c.plane[by*8*stride+bx*8:], stride)
				}
			}
			c.coef = nil
		}
		d.direct = true
	}
}

// image runs the stages after entropy decoding: the inverse DCT of any
// buffered coefficients, upsampling and colour conversion, producing the
// image in Pillow's mode. With packed, a 3-component image comes back as
// *RGB instead of *image.RGBA.
func (d *decoder) image(packed bool) (image.Image, error) {
	d.planes()
	defer d.releasePlanes()
	r := image.Rect(0, 0, d.width, d.height)
	if len(d.comp) == 1 {
		c := &d.comp[0]
		img := image.NewGray(r)
		for y := 0; y < d.height; y++ {
			copy(img.Pix[y*img.Stride:y*img.Stride+d.width], c.plane[y*c.bw*8:])
		}
		return img, nil
	}
	ups := make([]*upsampler, len(d.comp))
	for i := range d.comp {
		u, err := d.newUpsampler(&d.comp[i])
		if err != nil {
			return nil, err
		}
		ups[i] = u
	}
	var pix []byte
	var stride int
	var img image.Image
	px := 4
	switch {
	case len(d.comp) == 3 && packed:
		m := &RGB{Pix: bufpool.Get(3 * d.width * d.height), Stride: 3 * d.width, Rect: r}
		pix, stride, img, px = m.Pix, m.Stride, m, 3
	case len(d.comp) == 3:
		m := image.NewRGBA(r)
		pix, stride, img = m.Pix, m.Stride, m
	default:
		m := image.NewCMYK(r)
		pix, stride, img = m.Pix, m.Stride, m
	}
	cs := d.colorSpace()
	w := d.width
	k := kernels.Get()
	for y := 0; y < d.height; y++ {
		dst := pix[y*stride : y*stride+px*w]
		a, b, c := ups[0].row(y)[:w], ups[1].row(y)[:w], ups[2].row(y)[:w]
		switch {
		case cs == csYCbCr && px == 3:
			k.yccRGB(dst, a, b, c)
		case cs == csYCbCr:
			k.ycc(dst, a, b, c)
		case cs == csRGB && px == 3:
			rgbRowRGB(dst, a, b, c)
		case cs == csRGB:
			rgbRow(dst, a, b, c)
		case cs == csCMYK:
			cmykRow(dst, a, b, c, ups[3].row(y)[:w])
		case cs == csYCCK:
			ycckRow(dst, a, b, c, ups[3].row(y)[:w])
		}
	}
	return img, nil
}

// releasePlanes hands the components' planes back to the buffer pool once
// the image is made from them.
func (d *decoder) releasePlanes() {
	for i := range d.comp {
		bufpool.Put(d.comp[i].plane)
		d.comp[i].plane = nil
	}
}

// ReleasePixels hands pix, the pixels of an *RGB from DecodeRGB (or any
// buffer) that the caller no longer uses or shares, to later decodes.
func ReleasePixels(pix []byte) { bufpool.Put(pix) }
