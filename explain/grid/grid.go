// Package grid draws a convolution's filters and a layer's feature maps
// as grids of small images: the first layer's filters in colour, as in
// figure 3 of Krizhevsky et al. (2012), and any layer's maps in grey.
package grid

import (
	"image"
	"image/color"
	"math"

	"github.com/alexnet-go/alexnet/tensor"
)

// Options sets the drawing; the zero value means the defaults.
type Options struct {
	Scale int // pixels per value; 0 means 4 for filters, 2 for maps
	Cols  int // cells per row; 0 means ⌈√n⌉
	Gap   int // pixels between cells; 0 means 2 (the background is white)
}

func (o Options) orDefault(scale, n int) Options {
	if o.Scale <= 0 {
		o.Scale = scale
	}
	if o.Cols <= 0 {
		o.Cols = int(math.Ceil(math.Sqrt(float64(n))))
	}
	if o.Gap <= 0 {
		o.Gap = 2
	}
	return o
}

// Filters draws the filters of a convolution weight (out, 3, k, k), each
// an RGB k×k image scaled to [0, 255] by its own minimum and maximum over
// its three channels (the paper's figure 3 normalises per filter too).
func Filters(w *tensor.Tensor, opt Options) (*image.RGBA, error) {
	if len(w.Shape) != 4 || w.Shape[1] != 3 || w.Shape[2] != w.Shape[3] {
		return nil, &tensor.ShapeError{Op: "grid.Filters", Got: w.Shape, Msg: "want (out, 3, k, k): a first layer's filters"}
	}
	n, k := w.Shape[0], w.Shape[2]
	opt = opt.orDefault(4, n)
	g := newCanvas(n, k, k, opt)
	size := 3 * k * k
	for f := range n {
		vals := w.Data[f*size : (f+1)*size]
		lo, hi := bounds(vals)
		g.cell(f, func(y, x int) color.RGBA {
			c := [3]uint8{}
			for ch := range 3 {
				c[ch] = level(vals[ch*k*k+y*k+x], lo, hi)
			}
			return color.RGBA{c[0], c[1], c[2], 255}
		})
	}
	return g.img, nil
}

// Maps draws the feature maps of one image's activations (C, h, w), each
// in grey scaled by its own minimum and maximum (a constant map black).
func Maps(a *tensor.Tensor, opt Options) (*image.RGBA, error) {
	if len(a.Shape) != 3 {
		return nil, &tensor.ShapeError{Op: "grid.Maps", Got: a.Shape, Msg: "want (C, h, w)"}
	}
	n, h, w := a.Shape[0], a.Shape[1], a.Shape[2]
	opt = opt.orDefault(2, n)
	g := newCanvas(n, h, w, opt)
	for c := range n {
		vals := a.Data[c*h*w : (c+1)*h*w]
		lo, hi := bounds(vals)
		g.cell(c, func(y, x int) color.RGBA {
			v := level(vals[y*w+x], lo, hi)
			return color.RGBA{v, v, v, 255}
		})
	}
	return g.img, nil
}

// canvas is a white grid of n cells of h×w values.
type canvas struct {
	img  *image.RGBA
	opt  Options
	h, w int
}

func newCanvas(n, h, w int, opt Options) *canvas {
	rows := (n + opt.Cols - 1) / opt.Cols
	cw, ch := w*opt.Scale+opt.Gap, h*opt.Scale+opt.Gap
	img := image.NewRGBA(image.Rect(0, 0, opt.Cols*cw+opt.Gap, rows*ch+opt.Gap))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	return &canvas{img: img, opt: opt, h: h, w: w}
}

// cell paints cell i with at(y, x) for each value, each a Scale×Scale
// square.
func (c *canvas) cell(i int, at func(y, x int) color.RGBA) {
	s := c.opt.Scale
	x0 := c.opt.Gap + i%c.opt.Cols*(c.w*s+c.opt.Gap)
	y0 := c.opt.Gap + i/c.opt.Cols*(c.h*s+c.opt.Gap)
	for y := range c.h * s {
		for x := range c.w * s {
			c.img.SetRGBA(x0+x, y0+y, at(y/s, x/s))
		}
	}
}

// bounds is the minimum and maximum of v.
func bounds(v []float32) (lo, hi float32) {
	lo, hi = float32(math.Inf(1)), float32(math.Inf(-1))
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi
}

// level is v in [lo, hi] as 0..255, rounded; 0 when hi == lo.
func level(v, lo, hi float32) uint8 {
	if hi <= lo {
		return 0
	}
	return uint8(math.Round(float64((v - lo) / (hi - lo) * 255)))
}
