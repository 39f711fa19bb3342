package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/alexnet-go/alexnet/bench/harness"
	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/predict"
	"github.com/alexnet-go/alexnet/qmodel"
	"github.com/alexnet-go/alexnet/tensor"
)

type benchFlags struct {
	arch, sgemm, precision     string
	weights                    string // a file to load instead of random weights
	fileArch                   string // arch, or "" for the file's (archFlag)
	batch, iters, warmup, size int
	json                       bool
}

func benchCmd() *cobra.Command {
	var f benchFlags
	cmd := newCommand("bench [flags]", "Time forward passes of a randomly initialised model, per layer",
		`Build the model with seeded random weights (or load --weights, any
format: .pth, .safetensors, .onnx), run --warmup untimed forward passes on a random (batch, 3, size, size) input, then
--iters timed ones. Report the median and minimum time per batch, images/s,
GFLOP/s (2 × multiply-adds), the median time of each layer with its share of
the layers' total, the process's peak RSS (Linux) and the SGEMM
implementation. --threads 0 means GOMAXPROCS.`,
		cobra.NoArgs, func(cmd *cobra.Command, args []string) error {
			f.fileArch = archFlag(cmd, f.arch)
			return runBench(cmd, f)
		})
	fl := cmd.Flags()
	addArchFlag(fl, &f.arch)
	fl.StringVar(&f.weights, "weights", "", "weights file to time instead of random weights (.pth, .safetensors or .onnx)")
	fl.StringVar(&f.precision, "precision", "fp32", "fp32, or int8: the model quantized (qmodel) on its own input batch (the per-layer table gives a convolution's time, its batch norm and ReLU included, on its row)")
	fl.IntVar(&f.batch, "batch", 1, "images per forward pass")
	fl.IntVar(&f.iters, "iters", 10, "timed forward passes")
	fl.IntVar(&f.warmup, "warmup", 2, "untimed forward passes first")
	fl.IntVar(&f.size, "size", 0, "input height and width (default the architecture's, 224 or 227)")
	fl.StringVar(&f.sgemm, "sgemm", "", fmt.Sprintf("CPU variant of the kernels (default %s; have %v)", kernels.ActiveSgemm(), kernels.SgemmImpls()))
	fl.BoolVar(&f.json, "json", false, "print one JSON object")
	return cmd
}

// check rejects flag values before any work.
func (f benchFlags) check() error {
	switch {
	case f.batch < 1:
		return fmt.Errorf("--batch %d: want at least 1", f.batch)
	case f.iters < 1:
		return fmt.Errorf("--iters %d: want at least 1", f.iters)
	case f.warmup < 0:
		return fmt.Errorf("--warmup %d: want 0 or more", f.warmup)
	case f.size < 0:
		return fmt.Errorf("--size %d: want a positive size", f.size)
	case f.precision != "fp32" && f.precision != "int8":
		return fmt.Errorf("--precision %q: want fp32 or int8", f.precision)
	}
	return nil
}

func runBench(cmd *cobra.Command, f benchFlags) error {
	if err := f.check(); err != nil {
		return err
	}
	if f.sgemm != "" {
		prev := kernels.ActiveSgemm()
		if err := kernels.UseSgemm(f.sgemm); err != nil {
			return fmt.Errorf("--sgemm: %w", err)
		}
		defer kernels.UseSgemm(prev)
	}
	threads, _ := cmd.Flags().GetInt("threads")
	if threads < 1 {
		threads = runtime.GOMAXPROCS(0)
	}
	m, rows, x, err := benchModel(&f, threads)
	if err != nil {
		return err
	}
	var totals []float64
	var layers [][]float64
	if f.precision == "int8" {
		totals, layers, err = timeInt8(m, x, f.warmup, f.iters, rows)
	} else {
		totals, layers, err = timeForward(m, x, f.warmup, f.iters, len(rows))
	}
	if err != nil {
		return err
	}
	macs := model.Totals(rows).MACs
	r := harness.Report{Arch: f.arch, Batch: f.batch, Size: f.size, Threads: threads, Warmup: f.warmup, Iters: f.iters,
		Sgemm: kernels.ActiveSgemm()}
	r.SetTimes(totals, macs)
	r.SetLayers(rows, layers)
	if f.precision == "int8" {
		r.Precision = f.precision
	}
	r.PeakRSS, _ = harness.PeakRSS()
	if f.json {
		return json.NewEncoder(cmd.OutOrStdout()).Encode(r)
	}
	return r.WriteText(cmd.OutOrStdout())
}

// benchModel builds f's model with seeded random weights, its summary at
// f.size (0: the architecture's, which it sets) and a random input batch.
func benchModel(f *benchFlags, threads int) (*model.AlexNet, []model.LayerRow, *tensor.Tensor, error) {
	m, err := benchNetwork(f, threads)
	if err != nil {
		return nil, nil, nil, err
	}
	if f.size == 0 {
		f.size = m.Config().InputSize
	}
	rows, err := m.Summary(f.size) // checks the size before the work
	if err != nil {
		return nil, nil, nil, fmt.Errorf("--size %d: %w", f.size, err)
	}
	rng := rand.New(rand.NewSource(1))
	if f.weights == "" {
		for _, p := range m.Parameters() {
			fillNormal(rng, p.T.Data, 0.01)
		}
	}
	x := tensor.New(f.batch, 3, f.size, f.size)
	fillNormal(rng, x.Data, 1)
	return m, rows, x, nil
}

// benchNetwork is the model of --weights (f.arch set to its
// architecture), or f.arch's with zero weights.
func benchNetwork(f *benchFlags, threads int) (*model.AlexNet, error) {
	if f.weights != "" {
		p, err := predict.Load(f.fileArch, f.weights, threads)
		if err != nil {
			return nil, err
		}
		f.arch = p.Arch
		return p.Model, nil
	}
	cfg, err := model.ConfigFor(f.arch)
	if err != nil {
		return nil, err
	}
	cfg.Threads = threads
	return model.New(cfg)
}

// timeForward runs warmup untimed profiled forward passes of x, then iters
// timed ones: the seconds of each, and layers[l][iter], the seconds of
// each of the n layers in each.
func timeForward(m *model.AlexNet, x *tensor.Tensor, warmup, iters, n int) (totals []float64, layers [][]float64, err error) {
	for range warmup {
		if _, _, err := m.Profile(x); err != nil {
			return nil, nil, err
		}
	}
	totals = make([]float64, iters)
	layers = make([][]float64, n)
	for i := range iters {
		start := time.Now()
		_, times, err := m.Profile(x)
		totals[i] = time.Since(start).Seconds()
		if err != nil {
			return nil, nil, err
		}
		for l, lt := range times {
			layers[l] = append(layers[l], lt.Seconds)
		}
	}
	return totals, layers, nil
}

// fillNormal sets x to normal values with standard deviation std.
func fillNormal(rng *rand.Rand, x []float32, std float64) {
	for i := range x {
		x[i] = float32(rng.NormFloat64() * std)
	}
}

// timeInt8 quantizes m (qmodel.Calibrate, on x itself), then runs warmup
// untimed int8 forward passes of x and iters timed ones (qmodel's
// Profile): the seconds of each, and layers[l][iter], the seconds of the
// op of each summary row in each (0 for a module another op includes: a
// batch norm, a fused ReLU, a dropout).
func timeInt8(m *model.AlexNet, x *tensor.Tensor, warmup, iters int, rows []model.LayerRow) (totals []float64, layers [][]float64, err error) {
	one := qmodel.BatchesOf(1, 1, func(int, int) (*tensor.Tensor, error) { return x, nil })
	qm, err := qmodel.Calibrate(context.Background(), m, one, qmodel.Options{})
	if err != nil {
		return nil, nil, err
	}
	q, err := qmodel.NewFrom(qm, m)
	if err != nil {
		return nil, nil, err
	}
	layers = make([][]float64, len(rows))
	for i := range warmup + iters {
		start := time.Now()
		_, steps, err := q.Profile(x)
		if err != nil {
			return nil, nil, err
		}
		if i < warmup {
			continue
		}
		totals = append(totals, time.Since(start).Seconds())
		took := make(map[string]float64, len(steps))
		for _, s := range steps {
			took[s.Name] = s.Seconds
		}
		for l, row := range rows {
			layers[l] = append(layers[l], took[row.Name])
		}
	}
	return totals, layers, nil
}
