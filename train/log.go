package train

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
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
	steps, epochs *os.File
	sw, ew        *csv.Writer
	curves        Curves
}

// Point is one point of a curve: X is the SGD step.
type Point struct{ X, Y float64 }

// Curves are a run's training curves so far, against the SGD step: what
// Config.Plot draws after each epoch.
type Curves struct {
	StepLoss, StepTop1 []Point // each step's batch loss and top-1
	EpochLoss          []Point // each epoch's mean training loss
	EpochTop1          []Point // each epoch's training top-1 (augmented)
	ValTop1, ValTop5   []Point // each validated epoch's
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
		l.curves.StepLoss = append(l.curves.StepLoss, Point{s, loss})
		l.curves.StepTop1 = append(l.curves.StepTop1, Point{s, acc})
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
	l.curves.StepLoss = append(l.curves.StepLoss, Point{float64(st.Step), loss})
	l.curves.StepTop1 = append(l.curves.StepTop1, Point{float64(st.Step), top1})
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
	c := &l.curves
	c.EpochLoss = append(c.EpochLoss, Point{x, r.Loss})
	c.EpochTop1 = append(c.EpochTop1, Point{x, r.Top1})
	if !math.IsNaN(r.ValTop1) {
		c.ValTop1 = append(c.ValTop1, Point{x, r.ValTop1})
		c.ValTop5 = append(c.ValTop5, Point{x, r.ValTop5})
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
