// Package trainplot draws the training curves of package train into a
// PNG: the Config.Plot the alexnet command gives train.Run, kept apart so
// that train does not depend on a plotting library.
package trainplot

import (
	"image/color"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/alexnet-go/alexnet/train"
)

// WritePNG draws c's loss (per step, its moving mean, and each epoch's
// mean) and accuracy (training top-1 per epoch, validation top-1 and
// top-5) against the step, side by side, into a PNG at path, written
// atomically.
func WritePNG(path string, c *train.Curves) error {
	lossP := plot.New()
	lossP.Title.Text = "training loss"
	lossP.X.Label.Text = "step"
	lossP.Y.Label.Text = "cross-entropy"
	lossP.Add(plotter.NewGrid())
	accP := plot.New()
	accP.Title.Text = "accuracy"
	accP.X.Label.Text = "step"
	accP.Y.Label.Text = "fraction"
	accP.Add(plotter.NewGrid())
	add := func(p *plot.Plot, xy plotter.XYs, name string, c color.Color, width vg.Length) error {
		if len(xy) == 0 {
			return nil
		}
		ln, err := plotter.NewLine(xy)
		if err != nil {
			return err
		}
		ln.Color, ln.Width = c, width
		p.Add(ln)
		p.Legend.Add(name, ln)
		return nil
	}
	grey := color.RGBA{170, 170, 170, 255}
	blue := color.RGBA{31, 119, 180, 255}
	orange := color.RGBA{255, 127, 14, 255}
	green := color.RGBA{44, 160, 44, 255}
	for _, e := range []error{
		add(lossP, xys(c.StepLoss), "per step", grey, vg.Points(0.5)),
		add(lossP, smooth(xys(c.StepLoss)), "moving mean", orange, vg.Points(1.5)),
		add(lossP, xys(c.EpochLoss), "epoch mean", blue, vg.Points(2)),
		add(accP, xys(c.EpochTop1), "train top-1 (augmented)", blue, vg.Points(2)),
		add(accP, xys(c.ValTop1), "val top-1", orange, vg.Points(2)),
		add(accP, xys(c.ValTop5), "val top-5", green, vg.Points(2)),
	} {
		if e != nil {
			return e
		}
	}
	lossP.Legend.Top = true
	accP.Legend.Top, accP.Legend.Left = true, true
	img := vgimg.New(12*vg.Inch, 4.5*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Millimeter * 4, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2}
	cv := plot.Align([][]*plot.Plot{{lossP, accP}}, tiles, dc)
	lossP.Draw(cv[0][0])
	accP.Draw(cv[0][1])
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// smooth returns the trailing mean of xy's Y over a window of a fiftieth
// of its length (at least 1).
func smooth(xy plotter.XYs) plotter.XYs {
	w := max(1, len(xy)/50)
	out := make(plotter.XYs, len(xy))
	var sum float64
	for i, p := range xy {
		sum += p.Y
		if i >= w {
			sum -= xy[i-w].Y
		}
		out[i] = plotter.XY{X: p.X, Y: sum / float64(min(i+1, w))}
	}
	return out
}

// xys converts points to plotter's type.
func xys(ps []train.Point) plotter.XYs {
	out := make(plotter.XYs, len(ps))
	for i, p := range ps {
		out[i] = plotter.XY{X: p.X, Y: p.Y}
	}
	return out
}
