package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/tensor"
	"github.com/spf13/cobra"
)

type benchFlags struct {
	arch, sgemm                string
	batch, iters, warmup, size int
	json                       bool
}

// benchReport is the --json output: times in milliseconds, medians over
// the timed iterations; a layer's macs are per image, as in `alexnet
// summary`; peak_rss_bytes is absent where the OS does not say.
type benchReport struct {
	Arch         string       `json:"arch"`
	Batch        int          `json:"batch"`
	Size         int          `json:"size"`
	Threads      int          `json:"threads"`
	Warmup       int          `json:"warmup"`
	Iters        int          `json:"iters"`
	Sgemm        string       `json:"sgemm"`
	MsPerBatch   float64      `json:"ms_per_batch"`
	MinMs        float64      `json:"min_ms_per_batch"`
	ImagesPerSec float64      `json:"images_per_sec"`
	GFLOPS       float64      `json:"gflops"`
	PeakRSS      int64        `json:"peak_rss_bytes,omitempty"`
	Layers       []benchLayer `json:"layers"`
}

type benchLayer struct {
	Name     string  `json:"name"`
	Type     string  `json:"type"`
	Ms       float64 `json:"ms"`
	Percent  float64 `json:"percent"` // of the sum of the layers' medians
	MACs     int64   `json:"macs"`
	GFLOPS   float64 `json:"gflops"`
	outShape []int
}

func benchCmd() *cobra.Command {
	var f benchFlags
	cmd := &cobra.Command{
		Use:   "bench [flags]",
		Short: "Time forward passes of a randomly initialised model, per layer",
		Long: `Build the model with seeded random weights (no weights file), run
--warmup untimed forward passes on a random (batch, 3, size, size) input, then
--iters timed ones. Report the median and minimum time per batch, images/s,
GFLOP/s (2 × multiply-adds), the median time of each layer with its share of
the layers' total, the process's peak RSS (Linux) and the SGEMM
implementation. --threads 0 means GOMAXPROCS.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBench(cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.arch, "arch", "torchvision", "architecture: torchvision, original, tiny or tiny-bn (64×64 inputs)")
	fl.IntVar(&f.batch, "batch", 1, "images per forward pass")
	fl.IntVar(&f.iters, "iters", 10, "timed forward passes")
	fl.IntVar(&f.warmup, "warmup", 2, "untimed forward passes first")
	fl.IntVar(&f.size, "size", 0, "input height and width (default the architecture's, 224 or 227)")
	fl.StringVar(&f.sgemm, "sgemm", "", fmt.Sprintf("SGEMM implementation (default %s; have %v)", kernels.ActiveSgemm(), kernels.SgemmImpls()))
	fl.BoolVar(&f.json, "json", false, "print one JSON object")
	return cmd
}

func runBench(cmd *cobra.Command, f benchFlags) error {
	switch {
	case f.batch < 1:
		return fmt.Errorf("--batch %d: want at least 1", f.batch)
	case f.iters < 1:
		return fmt.Errorf("--iters %d: want at least 1", f.iters)
	case f.warmup < 0:
		return fmt.Errorf("--warmup %d: want 0 or more", f.warmup)
	case f.size < 0:
		return fmt.Errorf("--size %d: want a positive size", f.size)
	}
	if f.sgemm != "" {
		prev := kernels.ActiveSgemm()
		if err := kernels.UseSgemm(f.sgemm); err != nil {
			return fmt.Errorf("--sgemm: %w", err)
		}
		defer kernels.UseSgemm(prev)
	}
	cfg, err := model.ConfigFor(f.arch)
	if err != nil {
		return err
	}
	if f.size == 0 {
		f.size = cfg.InputSize
	}
	threads, _ := cmd.Flags().GetInt("threads")
	if threads < 1 {
		threads = runtime.GOMAXPROCS(0)
	}
	cfg.Threads = threads
	m, err := model.New(cfg)
	if err != nil {
		return err
	}
	rows, err := m.Summary(f.size) // checks the size before the work
	if err != nil {
		return fmt.Errorf("--size %d: %w", f.size, err)
	}
	rng := rand.New(rand.NewSource(1))
	for _, p := range m.Parameters() {
		fillNormal(rng, p.T.Data, 0.01)
	}
	x := tensor.New(f.batch, 3, f.size, f.size)
	fillNormal(rng, x.Data, 1)

	for range f.warmup {
		if _, _, err := m.Profile(x); err != nil {
			return err
		}
	}
	totals := make([]float64, f.iters)
	layers := make([][]float64, len(rows)) // layers[l][iter] in seconds
	for i := range f.iters {
		start := time.Now()
		_, times, err := m.Profile(x)
		totals[i] = time.Since(start).Seconds()
		if err != nil {
			return err
		}
		for l, lt := range times {
			layers[l] = append(layers[l], lt.Seconds)
		}
	}

	_, macs := model.Totals(rows)
	sec := median(totals)
	r := benchReport{Arch: f.arch, Batch: f.batch, Size: f.size, Threads: threads, Warmup: f.warmup, Iters: f.iters,
		Sgemm: kernels.ActiveSgemm(), MsPerBatch: sec * 1e3, MinMs: slices.Min(totals) * 1e3,
		ImagesPerSec: float64(f.batch) / sec, GFLOPS: gflops(macs, f.batch, sec)}
	r.PeakRSS, _ = peakRSS()
	var sum float64
	for l, row := range rows {
		s := median(layers[l])
		sum += s
		r.Layers = append(r.Layers, benchLayer{Name: row.Name, Type: row.Type, Ms: s * 1e3, MACs: row.MACs,
			GFLOPS: gflops(row.MACs, f.batch, s), outShape: append([]int{f.batch}, row.OutShape[1:]...)})
	}
	for i := range r.Layers {
		if sum > 0 {
			r.Layers[i].Percent = r.Layers[i].Ms / 1e3 / sum * 100
		}
	}
	if f.json {
		return json.NewEncoder(cmd.OutOrStdout()).Encode(r)
	}
	return writeBenchText(cmd.OutOrStdout(), r)
}

// writeBenchText prints r as a layer table and a summary line.
func writeBenchText(w io.Writer, r benchReport) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "%s, batch %d, %d×%d, %d threads, sgemm %s; median of %d runs after %d warm-up\n\n",
		r.Arch, r.Batch, r.Size, r.Size, r.Threads, r.Sgemm, r.Iters, r.Warmup)
	row := func(cols ...any) {
		fmt.Fprintln(b, strings.TrimRight(fmt.Sprintf("%-14s %-18s %-20s %10s %7s %9s", cols...), " "))
	}
	row("layer", "type", "output shape", "ms", "%", "GFLOP/s")
	var sum float64
	for _, l := range r.Layers {
		g := ""
		if l.MACs > 0 {
			g = fmt.Sprintf("%.1f", l.GFLOPS)
		}
		sum += l.Ms
		row(l.Name, l.Type, tensor.ShapeString(l.outShape), fmt.Sprintf("%.3f", l.Ms), fmt.Sprintf("%.1f", l.Percent), g)
	}
	row("layers", "", "", fmt.Sprintf("%.3f", sum), "100.0", "")
	fmt.Fprintf(b, "\nper batch: median %.2f ms, min %.2f ms; %.2f images/s; %.1f GFLOP/s", r.MsPerBatch, r.MinMs, r.ImagesPerSec, r.GFLOPS)
	if r.PeakRSS > 0 {
		fmt.Fprintf(b, "; peak RSS %.1f MB", float64(r.PeakRSS)/1e6)
	}
	fmt.Fprintln(b)
	return b.Flush()
}

// fillNormal sets x to normal values with standard deviation std.
func fillNormal(rng *rand.Rand, x []float32, std float64) {
	for i := range x {
		x[i] = float32(rng.NormFloat64() * std)
	}
}

// median of x (not empty), the mean of the middle two for even lengths.
func median(x []float64) float64 {
	s := slices.Sorted(slices.Values(x))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// gflops is 2·macs·batch floating-point operations over sec, in GFLOP/s;
// 0 when sec is 0.
func gflops(macs int64, batch int, sec float64) float64 {
	if sec <= 0 {
		return 0
	}
	return 2 * float64(macs) * float64(batch) / sec / 1e9
}

// peakRSS is the process's peak resident set size in bytes, from VmHWM in
// /proc/self/status; ok is false where that is unavailable (not Linux).
func peakRSS() (n int64, ok bool) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	return parseVmHWM(b)
}

// parseVmHWM reads the "VmHWM:   1234 kB" line of a /proc/PID/status file.
func parseVmHWM(status []byte) (int64, bool) {
	for line := range bytes.Lines(status) {
		rest, found := bytes.CutPrefix(line, []byte("VmHWM:"))
		if !found {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) != 2 || string(f[1]) != "kB" {
			return 0, false
		}
		kb, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil || kb < 0 {
			return 0, false
		}
		return kb * 1024, true
	}
	return 0, false
}
