package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/alexnet-go/alexnet/eval"
	"github.com/alexnet-go/alexnet/train"
)

// downloadBars returns the OnProgress of a download (weights, a Hub data
// set's files) that draws a byte progress bar per file on w, or nil when
// w is nil or a file that is not a terminal (a log would fill with
// carriage returns).
func downloadBars(w io.Writer) func(file string, done, total int64) {
	if w == nil {
		return nil
	}
	if f, ok := w.(*os.File); ok && !isTerminal(f) {
		return nil
	}
	var (
		bar  *progressbar.ProgressBar
		name string
	)
	return func(file string, done, total int64) {
		if bar == nil || file != name {
			if bar != nil {
				bar.Finish()
			}
			bar = progressbar.NewOptions64(total,
				progressbar.OptionSetWriter(w),
				progressbar.OptionSetDescription(file),
				progressbar.OptionShowBytes(true),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }))
			name = file
		}
		bar.Set64(done)
	}
}

// fileBar is downloadBars for a single file: the OnProgress of package
// weights' downloads.
func fileBar(w io.Writer, file string) func(done, total int64) {
	bars := downloadBars(w)
	if bars == nil {
		return nil
	}
	return func(done, total int64) { bars(file, done, total) }
}

// evalProgress sets opt.Progress to draw a progress bar on stderr when
// stderr is a terminal. The returned func finishes the bar.
func evalProgress(stderr io.Writer, opt *eval.Options) (finish func()) {
	var bar *progressbar.ProgressBar
	if isTerminal(stderr) {
		opt.Progress = func(done, total int) {
			if bar == nil {
				bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(stderr),
					progressbar.OptionSetDescription("eval"), progressbar.OptionShowCount(),
					progressbar.OptionShowIts(), progressbar.OptionSetItsString("img"),
					progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(100*time.Millisecond),
					progressbar.OptionClearOnFinish(), progressbar.OptionFullWidth())
			}
			bar.Set(done)
		}
	}
	return func() {
		if bar != nil {
			bar.Finish()
		}
	}
}

// trainBars draws train.Run's progress as a bar per phase on w.
type trainBars struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

func (b *trainBars) update(p train.Progress) {
	switch p.Event {
	case train.PhaseBegin:
		desc := p.Phase
		if p.Phase == train.PhaseTrain {
			desc = fmt.Sprintf("epoch %d/%d", p.Epoch, p.Epochs)
		}
		b.bar = progressbar.NewOptions(p.Total, progressbar.OptionSetWriter(b.w),
			progressbar.OptionSetDescription(desc), progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionFullWidth(), progressbar.OptionOnCompletion(func() { fmt.Fprintln(b.w) }))
		b.bar.Set(p.Done)
	case train.BatchDone:
		if p.Phase == train.PhaseTrain {
			b.bar.Describe(fmt.Sprintf("epoch %d/%d loss %.4f acc %.3f %.1f img/s, ETA %s", p.Epoch, p.Epochs,
				p.Loss, p.Top1, p.ImagesPerS, p.ETA))
		}
		b.bar.Add(1)
	case train.PhaseEnd:
		b.bar.Finish()
	}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
