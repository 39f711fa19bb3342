package train

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// The CSV logs of Run:
//
//	steps.csv   step,epoch,batch,lr,loss,top1          one row per SGD step
//	epochs.csv  epoch,step,lr,train_loss,train_top1,val_loss,val_top1,val_top5,seconds,images_per_sec
//
// Floats are written in the shortest form that reads back exactly, so
// two runs with the same losses have the same steps.csv, byte for byte.
var (
	stepHeader  = []string{"step", "epoch", "batch", "lr", "loss", "top1"}
	epochHeader = []string{"epoch", "step", "lr", "train_loss", "train_top1", "val_loss", "val_top1", "val_top5", "seconds", "images_per_sec"}
)

type epochRow struct {
	Epoch, Step               int
	LR, Loss, Top1            float64
	ValLoss, ValTop1, ValTop5 float64
	Seconds, ImagesPerS       float64
}

type logs struct {
	steps, epochs   *os.File
	sw, ew          *csv.Writer
	stepXY          plotter.XYs // step, loss
	stepAcc         plotter.XYs
	epochLoss, val1 plotter.XYs
	val5, epochTop1 plotter.XYs
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// openLogs opens (or, on resume, trims to st and reopens) the CSV logs in
// dir: rows after st's step or epoch are from work the checkpoint does not
// hold, and go.
func openLogs(dir string, st *State) (*logs, error) {
	l := &logs{}
	var err error
	if l.steps, l.sw, err = openCSV(filepath.Join(dir, "steps.csv"), stepHeader, func(r []string) bool {
		n, err := strconv.Atoi(r[0])
		return err == nil && n <= st.Step
	}, func(r []string) {
		s, _ := strconv.ParseFloat(r[0], 64)
		loss, _ := strconv.ParseFloat(r[4], 64)
		acc, _ := strconv.ParseFloat(r[5], 64)
		l.stepXY = append(l.stepXY, plotter.XY{X: s, Y: loss})
		l.stepAcc = append(l.stepAcc, plotter.XY{X: s, Y: acc})
	}); err != nil {
		return nil, err
	}
	if l.epochs, l.ew, err = openCSV(filepath.Join(dir, "epochs.csv"), epochHeader, func(r []string) bool {
		n, err := strconv.Atoi(r[0])
		return err == nil && n <= st.Epoch
	}, func(r []string) {
		var f [10]float64
		for i := range f {
			f[i], _ = strconv.ParseFloat(r[i], 64)
		}
		l.addEpoch(epochRow{Epoch: int(f[0]), Step: int(f[1]), Loss: f[3], Top1: f[4], ValTop1: f[6], ValTop5: f[7]})
	}); err != nil {
		l.steps.Close()
		return nil, err
	}
	return l, nil
}

// openCSV keeps the rows of path that keep accepts (passing them to seen),
// rewrites it with them and returns it open for appending.
func openCSV(path string, header []string, keep func([]string) bool, seen func([]string)) (*os.File, *csv.Writer, error) {
	var rows [][]string
	if f, err := os.Open(path); err == nil {
		all, err := csv.NewReader(bufio.NewReader(f)).ReadAll()
		f.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("train: %s: %w", path, err)
		}
		for i, r := range all {
			if i > 0 && len(r) == len(header) && keep(r) {
				rows = append(rows, r)
				seen(r)
			}
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	w := csv.NewWriter(f)
	w.Write(header)
	w.WriteAll(rows)
	return f, w, w.Error()
}

func (l *logs) step(st *State, lr, loss, top1 float64) {
	l.sw.Write([]string{strconv.Itoa(st.Step), strconv.Itoa(st.Epoch + 1), strconv.Itoa(st.Batch), ftoa(lr), ftoa(loss), ftoa(top1)})
	l.stepXY = append(l.stepXY, plotter.XY{X: float64(st.Step), Y: loss})
	l.stepAcc = append(l.stepAcc, plotter.XY{X: float64(st.Step), Y: top1})
}

func (l *logs) epoch(r epochRow) {
	l.ew.Write([]string{strconv.Itoa(r.Epoch), strconv.Itoa(r.Step), ftoa(r.LR), ftoa(r.Loss), ftoa(r.Top1),
		ftoa(r.ValLoss), ftoa(r.ValTop1), ftoa(r.ValTop5), strconv.FormatFloat(r.Seconds, 'f', 1, 64),
		strconv.FormatFloat(r.ImagesPerS, 'f', 2, 64)})
	l.ew.Flush()
	l.addEpoch(r)
}

func (l *logs) addEpoch(r epochRow) {
	x := float64(r.Step)
	l.epochLoss = append(l.epochLoss, plotter.XY{X: x, Y: r.Loss})
	l.epochTop1 = append(l.epochTop1, plotter.XY{X: x, Y: r.Top1})
	if !math.IsNaN(r.ValTop1) {
		l.val1 = append(l.val1, plotter.XY{X: x, Y: r.ValTop1})
		l.val5 = append(l.val5, plotter.XY{X: x, Y: r.ValTop5})
	}
}

// flush writes buffered rows to the files (before a checkpoint).
func (l *logs) flush() error {
	l.sw.Flush()
	l.ew.Flush()
	if err := l.sw.Error(); err != nil {
		return err
	}
	return l.ew.Error()
}

func (l *logs) close() {
	l.flush()
	l.steps.Close()
	l.epochs.Close()
}

// plot draws the loss (per step, and each epoch's mean) and the accuracy
// (training top-1 per epoch, validation top-1 and top-5) against the step
// into a PNG at path, written atomically.
func (l *logs) plot(path string) error {
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
		add(lossP, l.stepXY, "per step", grey, vg.Points(0.5)),
		add(lossP, smooth(l.stepXY), "moving mean", orange, vg.Points(1.5)),
		add(lossP, l.epochLoss, "epoch mean", blue, vg.Points(2)),
		add(accP, l.epochTop1, "train top-1 (augmented)", blue, vg.Points(2)),
		add(accP, l.val1, "val top-1", orange, vg.Points(2)),
		add(accP, l.val5, "val top-5", green, vg.Points(2)),
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
