// Command compare times this project's AlexNet engine side by side with
// ONNX Runtime (onnxruntime-node) and PyTorch on the same torchvision AlexNet
// (1000 classes, 224×224, seeded random weights), at several batch sizes and
// thread counts, and reports medians, speed ratios, peak RSS and a PNG chart.
//
// Each engine runs in a process of its own for each (batch, threads) config,
// so that its peak resident memory is that config's. Rounds are interleaved
// (every config of every engine once per round, the engine order rotating)
// because the machine is shared: medians over rounds are reported.
//
//	go run ./bench/compare                  # full run, about 5 minutes on 2 cores
//	go run ./bench/compare --quick          # 1 round, fewer iterations
//	go run ./bench/compare --replot         # redo table and chart from out/results.json
//
// See README.md beside this file.
package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/alexnet-go/alexnet/bench/harness"
)

// Engine names, as used in --engines and in results.json.
const (
	engOurs  = "ours"
	engORT   = "ort"
	engTorch = "pytorch"
)

var allEngines = []string{engOurs, engORT, engTorch}

// options are the command-line flags.
type options struct {
	Root          string        `json:"-"`
	Dir           string        `json:"-"`
	Out           string        `json:"-"`
	Cache         string        `json:"cache"`
	Rounds        int           `json:"rounds"`
	Quick         bool          `json:"quick"`
	Batches       []int         `json:"batches"`
	Threads       []int         `json:"threads"`
	Engines       []string      `json:"engines"`
	Iters         map[int]int   `json:"iters"`
	Warmup        map[int]int   `json:"warmup"`
	Python        string        `json:"python"`
	Node          string        `json:"node"`
	OursBin       string        `json:"ours_bin,omitempty"`
	OursArgs      []string      `json:"ours_args,omitempty"`
	GOMAXPROCS    bool          `json:"gomaxprocs"`
	ORTVersion    string        `json:"ort_version"`
	Opset         int           `json:"opset"`
	TorchMode     string        `json:"torch_mode"`
	TorchProbe    string        `json:"torch_probe_modes"`
	OpenBLASCore  string        `json:"openblas_coretype"`
	PeakPerThread float64       `json:"peak_gflops_per_thread"`
	GFLOPPerImage float64       `json:"gflop_per_image"`
	BusyThreshold float64       `json:"busy_threshold"`
	BusyRetries   int           `json:"busy_retries"`
	Timeout       time.Duration `json:"-"`
	Replot        bool          `json:"-"`
	Setup         bool          `json:"-"`
}

func main() {
	opt, err := parseFlags(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(2)
	}
	if err := run(context.Background(), opt); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

// listFlags are the flags that parseFlags reads as text and then parses.
type listFlags struct {
	batches, threads, engines, iters, warmup, oursArgs string
}

func parseFlags(args []string) (*options, error) {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: go run ./bench/compare [flags]\n\n"+
			"Times ours, ONNX Runtime and PyTorch on torchvision AlexNet; see bench/compare/README.md.\n\n")
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
	fs.StringVar(&l.engines, "engines", strings.Join(allEngines, ","), "engines to run: ours, ort, pytorch")
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
	fs.StringVar(&o.OpenBLASCore, "openblas-coretype", "SkylakeX", "OPENBLAS_CORETYPE for PyTorch (empty: unset)")
	fs.Float64Var(&o.PeakPerThread, "peak-gflops", 170, "FMA peak per thread in GFLOP/s, for ours' fraction of peak")
	fs.Float64Var(&o.GFLOPPerImage, "gflop-per-image", 2*0.714188480, "GFLOP per 224×224 image (2 × multiply-adds)")
	fs.Float64Var(&o.BusyThreshold, "busy-threshold", 0.3, "retry a run during which other processes used more than this many cores")
	fs.IntVar(&o.BusyRetries, "busy-retries", 2, "retries of a run disturbed by other processes (the quietest attempt is kept)")
	fs.DurationVar(&o.Timeout, "timeout", 10*time.Minute, "limit for one engine run")
	fs.BoolVar(&o.Replot, "replot", false, "run nothing: redo the table and charts from OUT/results.json")
	fs.BoolVar(&o.Setup, "setup", false, "only install onnxruntime-node, export the ONNX model and build ours")
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
// onnxruntime), each kept once, in the order given.
func parseEngines(s string) ([]string, error) {
	var engines []string
	for _, e := range strings.Split(s, ",") {
		e = strings.TrimSpace(strings.ToLower(e))
		switch e {
		case "torch":
			e = engTorch
		case "onnxruntime":
			e = engORT
		}
		if !slices.Contains(allEngines, e) {
			return nil, fmt.Errorf("--engines: unknown engine %q (have %s)", e, strings.Join(allEngines, ", "))
		}
		if !slices.Contains(engines, e) {
			engines = append(engines, e)
		}
	}
	return engines, nil
}

// torchModes are the modes of torch_bench.py.
var torchModes = []string{"default", "channels_last", "jit", "jit_cl", "mkldnn", "nomkldnn"}

// checkTorchModes checks --torch-mode and --torch-probe.
func (o *options) checkTorchModes() error {
	if o.TorchMode != "auto" && !slices.Contains(torchModes, o.TorchMode) {
		return fmt.Errorf("--torch-mode %q: want auto or one of %s", o.TorchMode, strings.Join(torchModes, ", "))
	}
	for _, m := range strings.Split(o.TorchProbe, ",") {
		if !slices.Contains(torchModes, m) {
			return fmt.Errorf("--torch-probe: unknown mode %q (have %s)", m, strings.Join(torchModes, ", "))
		}
	}
	return nil
}

// setPaths finds the repository root and defaults --dir and --out under
// it; the root is needed only where they or ours' binary are not given.
func (o *options) setPaths() error {
	var err error
	if o.Root, err = findRoot(); err != nil && (o.Dir == "" || o.Out == "" || (o.OursBin == "" && slices.Contains(o.Engines, engOurs))) {
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

// Run is one engine process for one config in one round.
type Run struct {
	Engine       string  `json:"engine"`
	Batch        int     `json:"batch"`
	Threads      int     `json:"threads"`
	Round        int     `json:"round"`
	Mode         string  `json:"mode,omitempty"`
	Iters        int     `json:"iters"`
	Warmup       int     `json:"warmup"`
	MsPerBatch   float64 `json:"ms_per_batch"`
	ImagesPerSec float64 `json:"images_per_sec"`
	// PeakRSS is the child's ru_maxrss as wait4 gives it, the same measure
	// for every engine; PeakRSSSelf is what the engine reported itself.
	PeakRSS     int64   `json:"peak_rss_bytes"`
	PeakRSSSelf int64   `json:"peak_rss_self_bytes"`
	CPUSeconds  float64 `json:"cpu_s"`
	WallSeconds float64 `json:"wall_s"`
	// OtherCores is the CPU time that other processes used during the run
	// (from /proc/stat, steal included) over its wall time: how many cores'
	// worth of other work shared the machine with it.
	OtherCores float64 `json:"other_cores"`
	// Attempts counts the runs made for this one: a run during which other
	// work used more than --busy-threshold cores is retried, and the
	// quietest attempt kept.
	Attempts int             `json:"attempts"`
	Raw      json.RawMessage `json:"raw,omitempty"`
	Err      string          `json:"error,omitempty"`
}

// Probe is the outcome of `torch_bench.py --probe` for one config.
type Probe struct {
	Best    string             `json:"best"`
	Modes   map[string]float64 `json:"modes"`
	MaxDiff map[string]float64 `json:"max_abs_diff"`
	// OtherCores and Attempts are as in Run.
	OtherCores float64 `json:"other_cores"`
	Attempts   int     `json:"attempts"`
	Err        string  `json:"error,omitempty"`
}

// Results is results.json.
type Results struct {
	Started  time.Time         `json:"started"`
	Finished time.Time         `json:"finished,omitzero"`
	Host     map[string]string `json:"host"`
	Options  *options          `json:"options"`
	Versions map[string]string `json:"versions"`
	Notes    []string          `json:"notes,omitempty"`
	// TorchProbe is keyed by "bB-tT".
	TorchProbe map[string]Probe `json:"torch_probe,omitempty"`
	Runs       []Run            `json:"runs"`
	Cells      []Cell           `json:"summary"`
}

func cfgKey(b, t int) string { return fmt.Sprintf("b%d-t%d", b, t) }

func run(ctx context.Context, o *options) error {
	if o.Replot {
		return replot(o.Out)
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return err
	}
	res := &Results{Started: time.Now().UTC(), Host: hostInfo(), Options: o,
		Versions: map[string]string{}, TorchProbe: map[string]Probe{}}
	tmp, err := os.MkdirTemp("", "alexnet-compare-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := setup(ctx, o, res, tmp); err != nil {
		return err
	}
	if o.Setup {
		fmt.Fprintln(os.Stderr, "setup done")
		return nil
	}
	start := time.Now()
	if slices.Contains(o.Engines, engTorch) && o.TorchMode == "auto" {
		probeAll(ctx, o, res)
	}
	if err := runRounds(ctx, o, res); err != nil {
		return err
	}
	res.Finished = time.Now().UTC()
	logf("all runs done in %s", time.Since(start).Round(time.Second))
	return finish(res, o.Out)
}

// replot redoes the table and charts from out/results.json.
func replot(out string) error {
	var res Results
	b, err := os.ReadFile(filepath.Join(out, "results.json"))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &res); err != nil {
		return fmt.Errorf("results.json: %w", err)
	}
	return finish(&res, out)
}

// probeAll probes PyTorch's modes for every config into res.TorchProbe.
func probeAll(ctx context.Context, o *options, res *Results) {
	for _, b := range o.Batches {
		for _, t := range o.Threads {
			p := probeTorch(ctx, o, b, t)
			res.TorchProbe[cfgKey(b, t)] = p
			if p.Err != "" {
				logf("torch probe bs%d t%d: %s (using default)", b, t, p.Err)
			} else {
				logf("torch probe bs%d t%d: best %s %s", b, t, p.Best, fmtModes(p.Modes))
			}
		}
	}
}

// runRounds runs every engine on every config in each round, the engine
// order rotating, and rewrites results.json after each run.
func runRounds(ctx context.Context, o *options, res *Results) error {
	for r := 1; r <= o.Rounds; r++ {
		ci := 0 // config index
		for _, b := range o.Batches {
			for _, t := range o.Threads {
				// Each engine goes first, second, … in turn across rounds.
				engines := harness.Rotate(o.Engines, r-1+ci)
				ci++
				for _, e := range engines {
					run := runQuiet(ctx, o, res, e, b, t, r)
					res.Runs = append(res.Runs, run)
					if run.Err != "" {
						logf("[round %d/%d] bs%-2d t%d %-7s error: %s", r, o.Rounds, b, t, e, run.Err)
					} else {
						logf("[round %d/%d] bs%-2d t%d %-7s %9.2f ms/batch %8.2f img/s  RSS %5.0f MiB  (%.1fs wall, %.1fs cpu, others %.2f cores)",
							r, o.Rounds, b, t, e, run.MsPerBatch, run.ImagesPerSec, mb(run.PeakRSS), run.WallSeconds, run.CPUSeconds, run.OtherCores)
					}
					if err := writeJSON(filepath.Join(o.Out, "results.json"), res); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// runQuiet is runOnce, again (up to --busy-retries times) while other
// processes use more than --busy-threshold cores: the quietest attempt.
func runQuiet(ctx context.Context, o *options, res *Results, e string, b, t, r int) Run {
	var run Run
	for a := 1; ; a++ {
		x := runOnce(ctx, o, res, e, b, t, r)
		if a == 1 || (x.Err == "" && x.OtherCores < run.OtherCores) {
			run = x
		}
		run.Attempts = a
		if x.Err != "" || x.OtherCores <= o.BusyThreshold || a > o.BusyRetries {
			return run
		}
		logf("[round %d/%d] bs%-2d t%d %-7s %9.2f ms/batch, but other processes used %.2f cores: again",
			r, o.Rounds, b, t, e, x.MsPerBatch, x.OtherCores)
	}
}

// finish summarises res, writes results.json, results.md and the charts,
// and prints the table.
func finish(res *Results, out string) error {
	res.Cells = summarize(res)
	if err := writeJSON(filepath.Join(out, "results.json"), res); err != nil {
		return err
	}
	md := markdown(res)
	if err := os.WriteFile(filepath.Join(out, "results.md"), []byte(md), 0o644); err != nil {
		return err
	}
	fmt.Print(md)
	if err := charts(res, out); err != nil {
		return err
	}
	fmt.Printf("\nwrote %s\n", strings.Join([]string{
		filepath.Join(out, "results.json"), filepath.Join(out, "results.md"),
		filepath.Join(out, "throughput.png"), filepath.Join(out, "rss.png")}, ", "))
	return nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func fmtModes(m map[string]float64) string {
	var parts []string
	for _, k := range slices.Sorted(mapKeys(m)) {
		parts = append(parts, fmt.Sprintf("%s=%.1fms", k, m[k]))
	}
	return strings.Join(parts, " ")
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// cpuBusy is the CPU time used so far by everything on the machine: user,
// nice, system, irq, softirq and steal from /proc/stat's cpu line; ok is
// false where that is unavailable.
func cpuBusy() (sec float64, ok bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, false
	}
	var ticks float64
	for _, i := range []int{1, 2, 3, 6, 7, 8} { // not idle (4) nor iowait (5)
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return 0, false
		}
		ticks += v
	}
	return ticks / 100, true // USER_HZ is 100 on Linux
}

// hostInfo describes the machine, for results.json.
func hostInfo() map[string]string {
	h := map[string]string{"go": runtime.Version(), "goarch": runtime.GOARCH, "cpus": strconv.Itoa(runtime.NumCPU())}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				h["cpu"] = strings.TrimSpace(v)
				break
			}
		}
	}
	if name, err := os.Hostname(); err == nil {
		h["hostname"] = name
	}
	return h
}

// setup builds ours, installs onnxruntime-node, exports the ONNX model and
// checks PyTorch, as the selected engines need.
func setup(ctx context.Context, o *options, res *Results, tmp string) error {
	has := func(e string) bool { return slices.Contains(o.Engines, e) }
	if has(engOurs) {
		if o.OursBin == "" {
			o.OursBin = filepath.Join(tmp, "alexnet")
			logf("building ours: go build -o %s ./cmd/alexnet", o.OursBin)
			cmd := exec.CommandContext(ctx, "go", "build", "-o", o.OursBin, "./cmd/alexnet")
			cmd.Dir = o.Root
			if b, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("go build ./cmd/alexnet: %w\n%s", err, b)
			}
		}
		if b, err := exec.CommandContext(ctx, o.OursBin, "bench", "--help").CombinedOutput(); err != nil ||
			!bytes.Contains(b, []byte("--json")) {
			return fmt.Errorf("%s has no `bench --json` command (%v); run other engines with --engines ort,pytorch\n%s", o.OursBin, err, b)
		}
		if rev, err := exec.CommandContext(ctx, "git", "-C", o.Root, "describe", "--always", "--dirty").Output(); err == nil {
			res.Versions[engOurs] = strings.TrimSpace(string(rev))
		}
	}
	if has(engORT) || has(engTorch) {
		if err := os.MkdirAll(o.Cache, 0o755); err != nil {
			return err
		}
		out, err := exec.CommandContext(ctx, o.Python, "-c",
			"import torch, torchvision; print(torch.__version__, torchvision.__version__)").CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s cannot import torch and torchvision (%v): %s\n"+
				"install them with: apt-get update && apt-get install -y python3-torch python3-torchvision python3-numpy",
				o.Python, err, bytes.TrimSpace(out))
		}
		if v := strings.Fields(string(out)); len(v) == 2 {
			res.Versions["torch"], res.Versions["torchvision"] = v[0], v[1]
		}
	}
	if has(engORT) {
		if err := setupORT(ctx, o, res); err != nil {
			return err
		}
	}
	return nil
}

func (o *options) ortDir() string { return filepath.Join(o.Cache, "ort") }
func (o *options) onnxModel() string {
	return filepath.Join(o.Cache, fmt.Sprintf("alexnet-opset%d.onnx", o.Opset))
}

func setupORT(ctx context.Context, o *options, res *Results) error {
	dir := o.ortDir()
	installed := func() string {
		b, err := os.ReadFile(filepath.Join(dir, "node_modules", "onnxruntime-node", "package.json"))
		if err != nil {
			return ""
		}
		var p struct{ Version string }
		json.Unmarshal(b, &p)
		return p.Version
	}
	if v := installed(); v == "" || (o.ORTVersion != "" && v != o.ORTVersion) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		pj := filepath.Join(dir, "package.json")
		if _, err := os.Stat(pj); err != nil {
			if err := os.WriteFile(pj, []byte(`{"name":"alexnet-bench-ort","private":true}`+"\n"), 0o644); err != nil {
				return err
			}
		}
		pkg := "onnxruntime-node"
		if o.ORTVersion != "" {
			pkg += "@" + o.ORTVersion
		}
		logf("installing %s into %s (npm install --ignore-scripts)", pkg, dir)
		cmd := exec.CommandContext(ctx, "npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", pkg)
		cmd.Dir = dir
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("npm install %s: %w\n%s", pkg, err, b)
		}
	}
	res.Versions["onnxruntime-node"] = installed()
	model := o.onnxModel()
	if _, err := os.Stat(model); err != nil {
		logf("exporting %s with %s (torch.onnx.export, opset %d)", model, o.Python, o.Opset)
		cmd := exec.CommandContext(ctx, o.Python, filepath.Join(o.Dir, "export_onnx.py"), model, "--opset", strconv.Itoa(o.Opset))
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("ONNX export: %w\n%s", err, b)
		}
	}
	// ORT must compute what PyTorch computed, or the timing means little.
	b, err := exec.CommandContext(ctx, o.Node, filepath.Join(o.Dir, "ort.mjs"), "--ort-dir", dir, "--model", model, "--check").CombinedOutput()
	if err != nil {
		return fmt.Errorf("ort.mjs --check: %w\n%s", err, b)
	}
	var chk struct {
		Diff float64 `json:"check_max_abs_diff"`
	}
	if err := decodeLast(b, &chk); err != nil {
		return fmt.Errorf("ort.mjs --check: %w\n%s", err, b)
	}
	res.Notes = append(res.Notes, fmt.Sprintf("ONNX Runtime vs PyTorch logits (batch 2): max |diff| %.3g", chk.Diff))
	logf("ORT %s matches PyTorch: max |diff| %.3g", res.Versions["onnxruntime-node"], chk.Diff)
	return nil
}

// engineCmd is the command line and environment of one engine run.
func engineCmd(o *options, engine, mode string, b, t int) (argv []string, env map[string]string) {
	bs, ts := strconv.Itoa(b), strconv.Itoa(t)
	it, wu := strconv.Itoa(o.itersFor(b)), strconv.Itoa(o.warmupFor(b))
	env = map[string]string{"OMP_NUM_THREADS": ts, "OPENBLAS_NUM_THREADS": ts, "MKL_NUM_THREADS": ts}
	switch engine {
	case engOurs:
		argv = append([]string{o.OursBin, "bench", "--arch", "torchvision", "--batch", bs, "--threads", ts,
			"--iters", it, "--warmup", wu, "--json"}, o.OursArgs...)
		if o.GOMAXPROCS {
			env["GOMAXPROCS"] = ts
		}
	case engORT:
		argv = []string{o.Node, filepath.Join(o.Dir, "ort.mjs"), "--ort-dir", o.ortDir(), "--model", o.onnxModel(),
			"--batch", bs, "--threads", ts, "--iters", it, "--warmup", wu}
	case engTorch:
		argv = []string{o.Python, filepath.Join(o.Dir, "torch_bench.py"), "--batch", bs, "--threads", ts,
			"--iters", it, "--warmup", wu, "--mode", mode}
		env["OPENBLAS_CORETYPE"] = o.OpenBLASCore // "" unsets it
	}
	return argv, env
}

// environ is os.Environ with set's keys replaced (an empty value removes it).
func environ(set map[string]string) []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := set[k]; !ok {
			out = append(out, kv)
		}
	}
	for _, k := range slices.Sorted(mapKeys(set)) {
		if set[k] != "" {
			out = append(out, k+"="+set[k])
		}
	}
	return out
}

// engineJSON is the part of each engine's JSON that the driver reads.
type engineJSON struct {
	Batch        int     `json:"batch"`
	Threads      int     `json:"threads"`
	MsPerBatch   float64 `json:"ms_per_batch"`
	ImagesPerSec float64 `json:"images_per_sec"`
	PeakRSS      int64   `json:"peak_rss_bytes"`
	Mode         string  `json:"mode"`
}

func runOnce(ctx context.Context, o *options, res *Results, engine string, b, t, round int) Run {
	r := Run{Engine: engine, Batch: b, Threads: t, Round: round, Iters: o.itersFor(b), Warmup: o.warmupFor(b)}
	if engine == engTorch {
		r.Mode = o.TorchMode
		if r.Mode == "auto" {
			r.Mode = "default"
			if p, ok := res.TorchProbe[cfgKey(b, t)]; ok && p.Best != "" {
				r.Mode = p.Best
			}
		}
	}
	argv, env := engineCmd(o, engine, r.Mode, b, t)
	x, err := execute(ctx, o.Timeout, argv, env)
	stdout := x.stdout
	r.WallSeconds, r.CPUSeconds, r.PeakRSS, r.OtherCores = x.wall, x.cpu, x.maxRSS, x.others
	if err != nil {
		r.Err = err.Error()
		return r
	}
	var j engineJSON
	raw, err := lastJSON(stdout)
	if err == nil {
		err = json.Unmarshal(raw, &j)
	}
	switch {
	case err != nil:
		r.Err = fmt.Sprintf("reading its JSON: %v; stdout: %.300q", err, stdout)
		return r
	case j.MsPerBatch <= 0:
		r.Err = fmt.Sprintf("no ms_per_batch in %.300s", raw)
		return r
	case j.Batch != 0 && j.Batch != b, j.Threads != 0 && j.Threads != t:
		r.Err = fmt.Sprintf("ran batch %d threads %d, not %d and %d", j.Batch, j.Threads, b, t)
		return r
	}
	r.Raw = raw // ours' includes its per-layer times
	r.MsPerBatch = j.MsPerBatch
	r.ImagesPerSec = float64(b) * 1e3 / j.MsPerBatch
	r.PeakRSSSelf = j.PeakRSS
	if r.PeakRSS == 0 {
		r.PeakRSS = j.PeakRSS
	}
	return r
}

// executed is what execute measured of a finished process.
type executed struct {
	stdout []byte
	wall   float64 // seconds
	cpu    float64 // seconds, user + system, all its threads
	maxRSS int64   // bytes, 0 where unknown
	others float64 // cores' worth of CPU that other processes used meanwhile
}

// execute runs argv with env and measures it; an error carries the tail of
// stderr.
func execute(ctx context.Context, timeout time.Duration, argv []string, env map[string]string) (executed, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = environ(env)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	busy0, ok0 := cpuBusy()
	start := time.Now()
	err := cmd.Run()
	var x executed
	x.wall = time.Since(start).Seconds()
	busy1, ok1 := cpuBusy()
	x.stdout = stdout.Bytes()
	if ps := cmd.ProcessState; ps != nil {
		x.cpu = (ps.UserTime() + ps.SystemTime()).Seconds()
		x.maxRSS = harness.ChildMaxRSS(ps)
		if ok0 && ok1 && x.wall > 0 {
			x.others = max(0, (busy1-busy0-x.cpu)/x.wall)
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("timed out after %s", timeout)
		}
		tail := stderr.Bytes()
		if len(tail) > 800 {
			tail = tail[len(tail)-800:]
		}
		return x, fmt.Errorf("%s: %w: %s", filepath.Base(argv[0]), err, bytes.TrimSpace(tail))
	}
	return x, nil
}

// lastJSON returns the last top-level JSON object in out (engines may print
// other lines before it; ours may indent it).
func lastJSON(out []byte) (json.RawMessage, error) {
	var last json.RawMessage
	for i := 0; i < len(out); {
		j := bytes.IndexByte(out[i:], '{')
		if j < 0 {
			break
		}
		dec := json.NewDecoder(bytes.NewReader(out[i+j:]))
		var m json.RawMessage
		if err := dec.Decode(&m); err != nil {
			i += j + 1
			continue
		}
		last = m
		i += j + int(dec.InputOffset())
	}
	if last == nil {
		return nil, errors.New("no JSON object in the output")
	}
	return last, nil
}

func decodeLast(out []byte, v any) error {
	raw, err := lastJSON(out)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// probeTorch runs torch_bench.py --probe for one config, again (up to
// --busy-retries times) while other processes disturb it.
func probeTorch(ctx context.Context, o *options, b, t int) Probe {
	argv, env := engineCmd(o, engTorch, "default", b, t)
	// Fewer iterations than the timed runs: this only ranks the modes.
	argv = append(argv[:2:2], "--probe", "--modes", o.TorchProbe, "--batch", strconv.Itoa(b), "--threads", strconv.Itoa(t),
		"--iters", strconv.Itoa(max(3, min(o.itersFor(b), 5))), "--warmup", "1")
	var best Probe
	for a := 1; ; a++ {
		x, err := execute(ctx, o.Timeout, argv, env)
		var p Probe
		if err == nil {
			err = decodeLast(x.stdout, &p)
		}
		if err == nil && p.Best == "" {
			err = errors.New("no best mode")
		}
		if err != nil {
			return Probe{Err: err.Error()}
		}
		p.OtherCores, p.Attempts = x.others, a
		if a == 1 || p.OtherCores < best.OtherCores {
			best = p
		}
		best.Attempts = a
		if p.OtherCores <= o.BusyThreshold || a > o.BusyRetries {
			return best
		}
		logf("torch probe bs%d t%d: other processes used %.2f cores: again", b, t, p.OtherCores)
	}
}
