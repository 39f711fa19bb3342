package harness

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/tensor"
)

// Report is the outcome of timing forward passes, `alexnet bench`'s
// --json output: times in milliseconds, medians over the timed
// iterations; a layer's MACs are per image, as in `alexnet summary`;
// PeakRSS is absent where the OS does not say.
type Report struct {
	Arch         string  `json:"arch"`
	Batch        int     `json:"batch"`
	Size         int     `json:"size"`
	Threads      int     `json:"threads"`
	Warmup       int     `json:"warmup"`
	Iters        int     `json:"iters"`
	Sgemm        string  `json:"sgemm"`
	Precision    string  `json:"precision,omitempty"` // empty: fp32
	MsPerBatch   float64 `json:"ms_per_batch"`
	MinMs        float64 `json:"min_ms_per_batch"`
	ImagesPerSec float64 `json:"images_per_sec"`
	GFLOPS       float64 `json:"gflops"`
	PeakRSS      int64   `json:"peak_rss_bytes,omitempty"`
	Layers       []Layer `json:"layers"`
}

// Layer is one row of a Report's per-layer table.
type Layer struct {
	Name     string  `json:"name"`
	Type     string  `json:"type"`
	Ms       float64 `json:"ms"`
	Percent  float64 `json:"percent"` // of the sum of the layers' medians
	MACs     int64   `json:"macs"`
	GFLOPS   float64 `json:"gflops"`
	OutShape []int   `json:"-"` // with the batch as its first dimension
}

// SetTimes sets r's per-batch figures from the seconds of each timed
// batch (not empty) and the multiply-adds of one image; r.Batch must be
// set.
func (r *Report) SetTimes(totals []float64, macs int64) {
	sec := Median(totals)
	r.MsPerBatch, r.MinMs = sec*1e3, slices.Min(totals)*1e3
	r.ImagesPerSec = float64(r.Batch) / sec
	r.GFLOPS = GFLOPS(macs, r.Batch, sec)
}

// SetLayers sets r.Layers from the model's summary rows and, per row, the
// seconds of each timed batch: the median, its share of the sum of the
// medians, and GFLOP/s. r.Batch must be set.
func (r *Report) SetLayers(rows []model.LayerRow, seconds [][]float64) {
	r.Layers = r.Layers[:0]
	var sum float64
	for l, row := range rows {
		s := Median(seconds[l])
		sum += s
		r.Layers = append(r.Layers, Layer{Name: row.Name, Type: row.Type, Ms: s * 1e3, MACs: row.MACs,
			GFLOPS: GFLOPS(row.MACs, r.Batch, s), OutShape: append([]int{r.Batch}, row.OutShape[1:]...)})
	}
	for i := range r.Layers {
		if sum > 0 {
			r.Layers[i].Percent = r.Layers[i].Ms / 1e3 / sum * 100
		}
	}
}

// WriteText prints r as a layer table and a summary line.
func (r *Report) WriteText(w io.Writer) error {
	b := bufio.NewWriter(w)
	prec := ""
	if r.Precision != "" {
		prec = ", " + r.Precision
	}
	fmt.Fprintf(b, "%s%s, batch %d, %d×%d, %d threads, sgemm %s; median of %d runs after %d warm-up\n\n",
		r.Arch, prec, r.Batch, r.Size, r.Size, r.Threads, r.Sgemm, r.Iters, r.Warmup)
	row := func(cols ...any) {
		fmt.Fprintln(b, strings.TrimRight(fmt.Sprintf("%-14s %-18s %-20s %10s %7s %9s", cols...), " "))
	}
	if len(r.Layers) > 0 {
		row("layer", "type", "output shape", "ms", "%", "GFLOP/s")
		var sum float64
		for _, l := range r.Layers {
			g := ""
			if l.MACs > 0 {
				g = fmt.Sprintf("%.1f", l.GFLOPS)
			}
			sum += l.Ms
			row(l.Name, l.Type, tensor.ShapeString(l.OutShape), fmt.Sprintf("%.3f", l.Ms), fmt.Sprintf("%.1f", l.Percent), g)
		}
		row("layers", "", "", fmt.Sprintf("%.3f", sum), "100.0", "")
		fmt.Fprintln(b)
	}
	fmt.Fprintf(b, "per batch: median %.2f ms, min %.2f ms; %.2f images/s; %.1f GFLOP/s", r.MsPerBatch, r.MinMs, r.ImagesPerSec, r.GFLOPS)
	if r.PeakRSS > 0 {
		fmt.Fprintf(b, "; peak RSS %.1f MB", float64(r.PeakRSS)/1e6)
	}
	fmt.Fprintln(b)
	return b.Flush()
}
