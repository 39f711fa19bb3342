// Package heatmap draws an explanation map (package explain) over an
// image: the map upsampled bilinearly to the image, scaled to [0, 1] and
// coloured with Moreland's smooth blue-red map (gonum's
// palette/moreland), blended with the photo.
package heatmap

import (
	"image"
	"image/color"
	"image/draw"
	"math"

	"gonum.org/v1/plot/palette/moreland"

	"github.com/alexnet-go/alexnet/tensor"
)

// Upsample resizes m (h, w) to (oh, ow) bilinearly, as PyTorch's
// F.interpolate(mode="bilinear", align_corners=False) does: output pixel
// (y, x) samples m at ((y+0.5)·h/oh − 0.5, (x+0.5)·w/ow − 0.5), clamped to
// the map's edges.
func Upsample(m *tensor.Tensor, oh, ow int) *tensor.Tensor {
	h, w := m.Shape[0], m.Shape[1]
	out := tensor.New(oh, ow)
	ys, xs := taps(h, oh), taps(w, ow)
	for y, ty := range ys {
		r0, r1 := m.Data[ty.i0*w:(ty.i0+1)*w], m.Data[ty.i1*w:(ty.i1+1)*w]
		for x, tx := range xs {
			top := (1-tx.f)*float64(r0[tx.i0]) + tx.f*float64(r0[tx.i1])
			bottom := (1-tx.f)*float64(r1[tx.i0]) + tx.f*float64(r1[tx.i1])
			out.Data[y*ow+x] = float32((1-ty.f)*top + ty.f*bottom)
		}
	}
	return out
}

// tap is one output coordinate's two source indices and the weight of
// the second.
type tap struct {
	i0, i1 int
	f      float64
}

// taps are the bilinear taps of n outputs over in inputs.
func taps(in, n int) []tap {
	t := make([]tap, n)
	scale := float64(in) / float64(n)
	for i := range t {
		src := max((float64(i)+0.5)*scale-0.5, 0)
		i0 := min(int(src), in-1)
		t[i] = tap{i0, min(i0+1, in-1), src - float64(i0)}
	}
	return t
}

// Normalize returns m scaled to [0, 1] by its minimum and maximum (as
// pytorch-grad-cam's scale_cam_image); a constant map gives zeros.
func Normalize(m *tensor.Tensor) *tensor.Tensor {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range m.Data {
		lo, hi = min(lo, float64(v)), max(hi, float64(v))
	}
	out := tensor.New(m.Shape...)
	if hi > lo {
		for i, v := range m.Data {
			out.Data[i] = float32((float64(v) - lo) / (hi - lo))
		}
	}
	return out
}

// colours is Moreland's smooth blue-red map at 256 levels, 0 blue (cold)
// to 1 red (hot).
var colours = func() []color.Color {
	cm := moreland.SmoothBlueRed()
	cm.SetMin(0)
	cm.SetMax(1)
	return cm.Palette(256).Colors()
}()

// Colour is the map's colour for v in [0, 1] (clamped).
func Colour(v float32) color.Color {
	return colours[int(math.Round(float64(min(max(v, 0), 1))*255))]
}

// Image is m (h, w) upsampled to oh×ow, scaled to [0, 1] and coloured:
// the heat map alone, opaque, for a page to lay over the crop.
func Image(m *tensor.Tensor, oh, ow int) *image.RGBA {
	up := Normalize(Upsample(m, oh, ow))
	out := image.NewRGBA(image.Rect(0, 0, ow, oh))
	for i, v := range up.Data {
		r, g, b, _ := Colour(v).RGBA()
		copy(out.Pix[4*i:4*i+4], []uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 255})
	}
	return out
}

// Overlay returns a copy of img with m drawn over the rectangle box of
// it: m (h, w) upsampled to the box's size and scaled to [0, 1], each
// pixel of the box alpha·Colour + (1−alpha)·img; the rest of img is
// dimmed to half its brightness, so the part the model saw stands out.
func Overlay(img image.Image, m *tensor.Tensor, box image.Rectangle, alpha float64) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(b)
	draw.Draw(out, b, img, b.Min, draw.Src)
	box = box.Intersect(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if !image.Pt(x, y).In(box) {
				c := out.RGBAAt(x, y)
				out.SetRGBA(x, y, color.RGBA{c.R / 2, c.G / 2, c.B / 2, c.A})
			}
		}
	}
	if box.Empty() {
		return out
	}
	heat := Image(m, box.Dy(), box.Dx())
	for y := range box.Dy() {
		for x := range box.Dx() {
			h := heat.RGBAAt(x, y)
			c := out.RGBAAt(box.Min.X+x, box.Min.Y+y)
			out.SetRGBA(box.Min.X+x, box.Min.Y+y, color.RGBA{
				blend(c.R, h.R, alpha), blend(c.G, h.G, alpha), blend(c.B, h.B, alpha), c.A})
		}
	}
	return out
}

// blend is (1−alpha)·a + alpha·h, rounded.
func blend(a, h uint8, alpha float64) uint8 {
	return uint8(math.Round((1-alpha)*float64(a) + alpha*float64(h)))
}
