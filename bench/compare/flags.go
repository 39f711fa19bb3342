package main

import (
	"bytes"
	"cmp"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// options are the command-line flags.
type options struct {
	Root           string        `json:"-"`
	Dir            string        `json:"-"`
	Out            string        `json:"-"`
	Cache          string        `json:"cache"`
	Rounds         int           `json:"rounds"`
	Quick          bool          `json:"quick"`
	Batches        []int         `json:"batches"`
	Threads        []int         `json:"threads"`
	Engines        []string      `json:"engines"`
	Iters          map[int]int   `json:"iters"`
	Warmup         map[int]int   `json:"warmup"`
	Python         string        `json:"python"`
	Node           string        `json:"node"`
	OursBin        string        `json:"ours_bin,omitempty"`
	OursArgs       []string      `json:"ours_args,omitempty"`
	GOMAXPROCS     bool          `json:"gomaxprocs"`
	ORTVersion     string        `json:"ort_version"`
	Opset          int           `json:"opset"`
	TorchMode      string        `json:"torch_mode"`
	TorchProbe     string        `json:"torch_probe_modes"`
	TorchInt8Mode  string        `json:"torch_int8_mode"`
	TorchInt8Probe string        `json:"torch_int8_probe_modes"`
	TorchQEngine   string        `json:"torch_qengine"` // as given; Results.TorchQEngine is what ran
	OpenBLASCore   string        `json:"openblas_coretype"`
	PeakPerThread  float64       `json:"peak_gflops_per_thread"`
	GFLOPPerImage  float64       `json:"gflop_per_image"`
	BusyThreshold  float64       `json:"busy_threshold"`
	BusyRetries    int           `json:"busy_retries"`
	Timeout        time.Duration `json:"-"`
	Replot         bool          `json:"-"`
	Setup          bool          `json:"-"`

	// Set by setup: PyTorch's quantized engine for pytorch-int8, and the
	// QDQ model of ort-int8.
	qengine      string
	ortInt8Model string
}

// listFlags are the flags that parseFlags reads as text and then parses.
type listFlags struct {
	batches, threads, engines, iters, warmup, oursArgs string
}

func parseFlags(args []string) (*options, error) {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: go run ./bench/compare [flags]\n\n"+
			"Times ours, ONNX Runtime and PyTorch, float32 and int8, on torchvision AlexNet; see bench/compare/README.md.\n\n")
		fs.PrintDefaults()
	}
	o := &options{}
	var l listFlags
	defineFlags(fs, o, &l)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	roundsSet := false
	fs.Visit(func(f *flag.Flag) { roundsSet = roundsSet || f.Name == "rounds" })
	if o.Quick && !roundsSet {
		o.Rounds = 1
	}
	if o.Rounds < 1 {
		return nil, fmt.Errorf("--rounds %d: want at least 1", o.Rounds)
	}
	if err := o.parseLists(l); err != nil {
		return nil, err
	}
	if err := o.checkTorchModes(); err != nil {
		return nil, err
	}
	if err := o.setPaths(); err != nil {
		return nil, err
	}
	return o, nil
}

// defaultCache is $ALEXNET_BENCH_CACHE, else ~/.cache/alexnet-bench.
func defaultCache() string {
	cache := os.Getenv("ALEXNET_BENCH_CACHE")
	if cache == "" {
		if home, err := os.UserHomeDir(); err == nil {
			cache = filepath.Join(home, ".cache", "alexnet-bench")
		}
	}
	return cache
}

// defineFlags defines the flags of o, and of l those parsed afterwards.
func defineFlags(fs *flag.FlagSet, o *options, l *listFlags) {
	fs.StringVar(&o.Dir, "dir", "", "folder of the helper scripts (default ROOT/bench/compare)")
	fs.StringVar(&o.Out, "out", "", "output folder (default ROOT/bench/compare/out)")
	fs.StringVar(&o.Cache, "cache", defaultCache(), "cache folder for onnxruntime-node and the ONNX model ($ALEXNET_BENCH_CACHE)")
	fs.IntVar(&o.Rounds, "rounds", 3, "interleaved rounds; medians over rounds are reported")
	fs.BoolVar(&o.Quick, "quick", false, "1 round (unless --rounds is given) and fewer iterations")
	fs.StringVar(&l.batches, "batches", "1,8,64", "batch sizes")
	fs.StringVar(&l.threads, "threads", "1,2", "thread counts")
	fs.StringVar(&l.engines, "engines", strings.Join(allEngines, ","), "engines to run: ours, ort, pytorch (float32), ours-int8, ort-int8, pytorch-int8; fp32 or int8 names three")
	fs.StringVar(&l.iters, "iters", "", "timed iterations per run, BATCH:N,... (default 1:30,8:10,64:5; --quick 1:8,8:4,64:2)")
	fs.StringVar(&l.warmup, "warmup", "", "untimed iterations per run, BATCH:N,... (default 1:5,8:2,64:1; --quick 1:2,8:1,64:1)")
	fs.StringVar(&o.Python, "python", "/usr/bin/python3", "Python with torch 1.13 and torchvision (Debian's)")
	fs.StringVar(&o.Node, "node", "node", "Node.js for onnxruntime-node")
	fs.StringVar(&o.OursBin, "ours-bin", "", "prebuilt alexnet binary (default: go build ./cmd/alexnet into a temporary folder)")
	fs.StringVar(&l.oursArgs, "ours-args", "", "extra arguments for 'alexnet bench', space separated (e.g. \"--sgemm packed\")")
	fs.BoolVar(&o.GOMAXPROCS, "gomaxprocs", true, "run ours with GOMAXPROCS=threads (as OMP_NUM_THREADS is set for the others)")
	fs.StringVar(&o.ORTVersion, "ort-version", "1.30.0", "onnxruntime-node version to install into the cache (empty: whatever is there)")
	fs.IntVar(&o.Opset, "opset", 13, "ONNX opset for the export")
	fs.StringVar(&o.TorchMode, "torch-mode", "auto", "PyTorch mode: auto (probe the --torch-probe modes per config, use the fastest), or one of default, channels_last, jit, jit_cl, mkldnn, nomkldnn")
	fs.StringVar(&o.TorchProbe, "torch-probe", "default,channels_last,jit", "modes tried by --torch-mode auto")
	fs.StringVar(&o.TorchInt8Mode, "torch-int8-mode", "auto", "PyTorch int8 mode: auto (probe the --torch-int8-probe modes per config), or one of default, channels_last, jit, jit_cl")
	fs.StringVar(&o.TorchInt8Probe, "torch-int8-probe", "default,channels_last,jit", "modes tried by --torch-int8-mode auto")
	fs.StringVar(&o.TorchQEngine, "torch-qengine", "auto", "PyTorch quantized engine for pytorch-int8: auto (fbgemm, else x86, else onednn, else qnnpack: the first this torch has), or one of them")
	fs.StringVar(&o.OpenBLASCore, "openblas-coretype", "SkylakeX", "OPENBLAS_CORETYPE for PyTorch (empty: unset)")
	fs.Float64Var(&o.PeakPerThread, "peak-gflops", 170, "FMA peak per thread in GFLOP/s, for ours' fraction of peak (int8: 4× this, the VNNI peak)")
	fs.Float64Var(&o.GFLOPPerImage, "gflop-per-image", 2*0.714188480, "GFLOP (int8: GOP) per 224×224 image (2 × multiply-adds)")
	fs.Float64Var(&o.BusyThreshold, "busy-threshold", 0.3, "retry a run during which other processes used more than this many cores")
	fs.IntVar(&o.BusyRetries, "busy-retries", 2, "retries of a run disturbed by other processes (the quietest attempt is kept)")
	fs.DurationVar(&o.Timeout, "timeout", 10*time.Minute, "limit for one engine run")
	fs.BoolVar(&o.Replot, "replot", false, "run nothing: redo the table and charts from OUT/results.json")
	fs.BoolVar(&o.Setup, "setup", false, "only install onnxruntime-node, export and quantize the ONNX model and build ours")
}

// parseLists sets o's batches, threads, engines, iterations, warm-ups and
// ours' extra arguments from l.
func (o *options) parseLists(l listFlags) error {
	var err error
	if o.Batches, err = parseInts(l.batches); err != nil {
		return fmt.Errorf("--batches: %w", err)
	}
	if o.Threads, err = parseInts(l.threads); err != nil {
		return fmt.Errorf("--threads: %w", err)
	}
	if o.Engines, err = parseEngines(l.engines); err != nil {
		return err
	}
	defIters, defWarm := "1:30,8:10,64:5", "1:5,8:2,64:1"
	if o.Quick {
		defIters, defWarm = "1:8,8:4,64:2", "1:2,8:1,64:1"
	}
	if o.Iters, err = parseBatchMap(cmp.Or(l.iters, defIters)); err != nil {
		return fmt.Errorf("--iters: %w", err)
	}
	if o.Warmup, err = parseBatchMap(cmp.Or(l.warmup, defWarm)); err != nil {
		return fmt.Errorf("--warmup: %w", err)
	}
	o.OursArgs = strings.Fields(l.oursArgs)
	return nil
}

// parseEngines reads --engines: names from allEngines (or torch,
// onnxruntime, with or without -int8), or fp32 or int8 for the three of
// that precision; each kept once, in the order given.
func parseEngines(s string) ([]string, error) {
	var engines []string
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(strings.ToLower(name))
		names := []string{name}
		switch name {
		case "fp32":
			names = allEngines[:3]
		case "int8":
			names = allEngines[3:]
		}
		for _, e := range names {
			base, suffix := strings.TrimSuffix(e, int8Suffix), e[len(strings.TrimSuffix(e, int8Suffix)):]
			switch base {
			case "torch":
				e = engTorch + suffix
			case "onnxruntime":
				e = engORT + suffix
			}
			if !slices.Contains(allEngines, e) {
				return nil, fmt.Errorf("--engines: unknown engine %q (have %s, fp32, int8)", e, strings.Join(allEngines, ", "))
			}
			if !slices.Contains(engines, e) {
				engines = append(engines, e)
			}
		}
	}
	return engines, nil
}

// torchModes are the modes of torch_bench.py; the first four also apply
// to its int8 model.
var torchModes = []string{"default", "channels_last", "jit", "jit_cl", "mkldnn", "nomkldnn"}

// qengines are PyTorch's quantized engines, fastest on x86 first.
var qengines = []string{"fbgemm", "x86", "onednn", "qnnpack"}

// checkTorchModes checks --torch-mode, --torch-probe, their int8 twins and
// --torch-qengine.
func (o *options) checkTorchModes() error {
	for _, f := range []struct {
		name, mode, probe string
		modes             []string
	}{
		{"torch", o.TorchMode, o.TorchProbe, torchModes},
		{"torch-int8", o.TorchInt8Mode, o.TorchInt8Probe, torchModes[:4]},
	} {
		if f.mode != "auto" && !slices.Contains(f.modes, f.mode) {
			return fmt.Errorf("--%s-mode %q: want auto or one of %s", f.name, f.mode, strings.Join(f.modes, ", "))
		}
		for _, m := range strings.Split(f.probe, ",") {
			if !slices.Contains(f.modes, m) {
				return fmt.Errorf("--%s-probe: unknown mode %q (have %s)", f.name, m, strings.Join(f.modes, ", "))
			}
		}
	}
	if o.TorchQEngine != "auto" && !slices.Contains(qengines, o.TorchQEngine) {
		return fmt.Errorf("--torch-qengine %q: want auto or one of %s", o.TorchQEngine, strings.Join(qengines, ", "))
	}
	return nil
}

// torchMode is --torch-mode for pytorch, --torch-int8-mode for
// pytorch-int8.
func (o *options) torchMode(e string) string {
	if e == engTorchInt8 {
		return o.TorchInt8Mode
	}
	return o.TorchMode
}

// torchProbe is --torch-probe for pytorch, --torch-int8-probe for
// pytorch-int8.
func (o *options) torchProbe(e string) string {
	if e == engTorchInt8 {
		return o.TorchInt8Probe
	}
	return o.TorchProbe
}

// setPaths finds the repository root and defaults --dir and --out under
// it; the root is needed only where they or ours' binary are not given.
func (o *options) setPaths() error {
	var err error
	if o.Root, err = findRoot(); err != nil && (o.Dir == "" || o.Out == "" || (o.OursBin == "" && (o.has(engOurs) || o.has(engOursInt8)))) {
		return err
	}
	if o.Dir == "" {
		o.Dir = filepath.Join(o.Root, "bench", "compare")
	}
	if o.Out == "" {
		o.Out = filepath.Join(o.Root, "bench", "compare", "out")
	}
	return nil
}

// itersFor is the number of timed iterations for batch b: from --iters, or
// about 30/√b for a batch it does not name.
func (o *options) itersFor(b int) int {
	if n, ok := o.Iters[b]; ok {
		return n
	}
	return max(3, int(math.Round(30/math.Sqrt(float64(b)))))
}

func (o *options) warmupFor(b int) int {
	if n, ok := o.Warmup[b]; ok {
		return n
	}
	switch {
	case b >= 32:
		return 1
	case b >= 4:
		return 2
	}
	return 5
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q: want positive integers separated by commas", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// parseBatchMap reads "1:30,8:10"; a bare "N" sets every batch (key 0 is
// not used: it is expanded by the caller through itersFor's fallback).
func parseBatchMap(s string) (map[int]int, error) {
	m := map[int]int{}
	for _, f := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(f), ":")
		b, err1 := strconv.Atoi(k)
		n, err2 := strconv.Atoi(v)
		if !ok || err1 != nil || err2 != nil || b < 1 || n < 0 {
			return nil, fmt.Errorf("%q: want BATCH:N pairs separated by commas", s)
		}
		m[b] = n
	}
	return m, nil
}

// findRoot walks up from the working directory to this module's go.mod.
func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(b, []byte("module github.com/alexnet-go/alexnet\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from inside the alexnet repository (no go.mod of github.com/alexnet-go/alexnet above the working directory)")
		}
		dir = parent
	}
}
