package main

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/alexnet-go/alexnet/bench/harness"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
)

// Cell is the summary of one engine at one (batch, threads) config over
// the rounds.
type Cell struct {
	Engine  string `json:"engine"`
	Batch   int    `json:"batch"`
	Threads int    `json:"threads"`
	Mode    string `json:"mode,omitempty"`
	Rounds  int    `json:"rounds"` // successful runs
	Errors  int    `json:"errors"`
	// MsPerBatch is the median over rounds of each round's median;
	// MsMin and MsMax are the range of the rounds' medians.
	MsPerBatch   float64 `json:"ms_per_batch"`
	MsMin        float64 `json:"ms_min"`
	MsMax        float64 `json:"ms_max"`
	ImagesPerSec float64 `json:"images_per_sec"`
	GFLOPS       float64 `json:"gflops"` // int8: GOP/s
	// PeakFraction is GFLOPS over the peak of threads: the FMA peak
	// (--peak-gflops per thread), or for an int8 engine the VNNI peak,
	// vnniPerFMA times that.
	PeakFraction float64 `json:"peak_fraction"`
	PeakRSS      int64   `json:"peak_rss_bytes"` // the largest over rounds
	// OtherCores is the most CPU (in cores) that other processes used
	// during one of the runs summarised.
	OtherCores float64 `json:"other_cores_max"`
	Attempts   int     `json:"attempts"` // runs made, retries included
}

func (c Cell) ok() bool { return c.Rounds > 0 && c.MsPerBatch > 0 }

var engineTitle = map[string]string{engOurs: "ours", engORT: "ORT", engTorch: "PyTorch",
	engOursInt8: "ours int8", engORTInt8: "ORT int8", engTorchInt8: "PyTorch int8"}

func title(e string) string {
	if t, ok := engineTitle[e]; ok {
		return t
	}
	return e
}

// summarize folds res.Runs into one Cell per engine and config, in the
// order of the options' engines, batches and threads.
func summarize(res *Results) []Cell {
	o := res.Options
	var cells []Cell
	for _, b := range o.Batches {
		for _, t := range o.Threads {
			for _, e := range o.Engines {
				c := Cell{Engine: e, Batch: b, Threads: t}
				var ms []float64
				var modes []string
				for _, r := range res.Runs {
					if r.Engine != e || r.Batch != b || r.Threads != t {
						continue
					}
					if r.Err != "" || r.MsPerBatch <= 0 {
						c.Errors++
						continue
					}
					ms = append(ms, r.MsPerBatch)
					c.PeakRSS = max(c.PeakRSS, r.PeakRSS)
					c.OtherCores = max(c.OtherCores, r.OtherCores)
					c.Attempts += max(r.Attempts, 1)
					if r.Mode != "" && !slices.Contains(modes, r.Mode) {
						modes = append(modes, r.Mode)
					}
				}
				c.Mode = strings.Join(modes, "+")
				if c.Rounds = len(ms); c.Rounds > 0 {
					c.MsPerBatch = harness.Median(ms)
					c.MsMin, c.MsMax = slices.Min(ms), slices.Max(ms)
					c.ImagesPerSec = float64(b) * 1e3 / c.MsPerBatch
					c.GFLOPS = c.ImagesPerSec * o.GFLOPPerImage
					if peak := o.peak(e, t); peak > 0 {
						c.PeakFraction = c.GFLOPS / peak
					}
				}
				cells = append(cells, c)
			}
		}
	}
	return cells
}

// peak is the GFLOP/s (GOP/s) peak of engine e on t threads: the FMA peak,
// or for int8 the VNNI peak.
func (o *options) peak(e string, t int) float64 {
	p := o.PeakPerThread * float64(t)
	if isInt8(e) {
		p *= vnniPerFMA
	}
	return p
}

func findCell(cells []Cell, e string, b, t int) (Cell, bool) {
	for _, c := range cells {
		if c.Engine == e && c.Batch == b && c.Threads == t {
			return c, c.ok()
		}
	}
	return Cell{}, false
}

// markdown renders the summary as a Markdown document with aligned tables.
func markdown(res *Results) string {
	var sb strings.Builder
	writeIntro(&sb, res)
	o := res.Options
	both := len(o.fp32Engines()) > 0 && len(o.int8Engines()) > 0
	if len(o.fp32Engines()) > 0 {
		if both {
			sb.WriteString("## float32\n\n")
		}
		writeSpeedTable(&sb, res)
	}
	if len(o.int8Engines()) > 0 {
		if both {
			sb.WriteString("\n## int8\n\n")
		}
		writeInt8Intro(&sb, res)
		writeInt8Table(&sb, res)
	}
	sb.WriteString("\nms per batch over rounds (min–max of the rounds' medians, n = successful rounds):\n\n")
	writeSpreadTable(&sb, res)
	sb.WriteString("\n")
	for _, n := range notes(res) {
		sb.WriteString("- " + n + "\n")
	}
	if errs := failures(res); len(errs) > 0 {
		sb.WriteString("\nFailures:\n\n")
		for _, e := range errs {
			sb.WriteString("- " + e + "\n")
		}
	}
	return sb.String()
}

// writeIntro writes the title, the host and versions, and how the figures
// were made.
func writeIntro(sb *strings.Builder, res *Results) {
	o := res.Options
	fmt.Fprintf(sb, "# AlexNet (torchvision, 1000 classes, 224×224): %s\n\n",
		strings.Join(mapSlice(o.Engines, title), " vs "))
	fmt.Fprintf(sb, "Host: %s, %s CPUs, %s. ", orDash(res.Host["cpu"]), orDash(res.Host["cpus"]), orDash(res.Host["go"]))
	var vs []string
	for _, k := range slices.Sorted(mapKeys(res.Versions)) {
		vs = append(vs, k+" "+res.Versions[k])
	}
	if len(vs) > 0 {
		fmt.Fprintf(sb, "Versions: %s. ", strings.Join(vs, ", "))
	}
	fmt.Fprintf(sb, "Started %s.\n\n", res.Started.Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(sb, "Each engine runs in its own process per config; %d interleaved round(s); each round's figure is the median "+
		"of its timed iterations (%s; warm-up %s), and the table shows the median over rounds. "+
		"Speed ratio = ours img/s ÷ the other's img/s (above 1: ours is faster). "+
		"Peak RSS is the process's ru_maxrss (largest over rounds). "+
		"%% FMA peak = ours' GFLOP/s ÷ (%.0f GFLOP/s × threads), with %.3f GFLOP per image",
		o.Rounds, batchMapString(o, o.itersFor), batchMapString(o, o.warmupFor), o.PeakPerThread, o.GFLOPPerImage)
	if len(o.int8Engines()) > 0 {
		fmt.Fprintf(sb, "; %% VNNI peak = ours int8's GOP/s ÷ (%d × %.0f GOP/s × threads), the same %.3f GOP per image",
			vnniPerFMA, o.PeakPerThread, o.GFLOPPerImage)
	}
	sb.WriteString(".\n\n")
}

// writeInt8Intro says how the int8 engines quantize and which PyTorch
// quantized engine ran.
func writeInt8Intro(sb *strings.Builder, res *Results) {
	o := res.Options
	var parts []string
	if o.has(engOursInt8) {
		parts = append(parts, "ours int8 is `alexnet bench --precision int8` (qmodel, calibrated on its own input batch)")
	}
	if o.has(engORTInt8) {
		parts = append(parts, "ORT int8 runs the QDQ model of quantize_onnx.py (per-channel int8 weights, uint8 activations), "+
			"which ORT fuses into QLinearConv and QGemm")
	}
	if o.has(engTorchInt8) {
		q := orDash(res.TorchQEngine)
		s := fmt.Sprintf("PyTorch int8 is FX post-training static quantization on the **%s** quantized engine", q)
		if len(res.TorchQEngines) > 0 {
			s += " (this torch has " + strings.Join(res.TorchQEngines, ", ")
			if !slices.Contains(res.TorchQEngines, "fbgemm") {
				s += "; no fbgemm"
			}
			s += ")"
		}
		parts = append(parts, s)
	}
	sb.WriteString(strings.Join(parts, "; ") + ". " +
		"Ratios: ours int8 img/s ÷ the other's (above 1: ours int8 is faster); " +
		"the latency ratio is ours int8 ms ÷ ORT float32 ms (below 1: ours int8 is faster).\n\n")
}

// fp32Engines and int8Engines are o's engines of each precision.
func (o *options) fp32Engines() []string {
	return slices.DeleteFunc(slices.Clone(o.Engines), isInt8)
}

func (o *options) int8Engines() []string {
	return slices.DeleteFunc(slices.Clone(o.Engines), func(e string) bool { return !isInt8(e) })
}

// others is o's float32 engines but ours.
func (o *options) others() []string {
	return slices.DeleteFunc(o.fp32Engines(), func(e string) bool { return e == engOurs })
}

func (o *options) has(e string) bool { return slices.Contains(o.Engines, e) }

// writeSpeedTable writes the float32 table: per config, each engine's ms
// per batch and img/s, ours' speed ratios, GFLOP/s and share of the FMA
// peak, and each engine's peak RSS.
func writeSpeedTable(sb *strings.Builder, res *Results) {
	o := res.Options
	engines := o.fp32Engines()
	header := []string{"batch", "threads"}
	for _, e := range engines {
		header = append(header, title(e)+" ms")
	}
	for _, e := range engines {
		header = append(header, title(e)+" img/s")
	}
	if o.has(engOurs) {
		for _, e := range o.others() {
			header = append(header, "ours/"+title(e))
		}
		header = append(header, "ours GFLOP/s", "ours % FMA peak")
	}
	for _, e := range engines {
		header = append(header, title(e)+" RSS MiB")
	}
	var rows [][]string
	for _, b := range o.Batches {
		for _, t := range o.Threads {
			rows = append(rows, speedRow(res, b, t))
		}
	}
	harness.MarkdownTable(sb, header, rows)
}

// speedRow is writeSpeedTable's row for batch b and t threads.
func speedRow(res *Results, b, t int) []string {
	o := res.Options
	engines := o.fp32Engines()
	row := []string{fmt.Sprint(b), fmt.Sprint(t)}
	row = append(row, timeCells(res, engines, b, t)...)
	if o.has(engOurs) {
		for _, e := range o.others() {
			row = append(row, speedRatio(res, engOurs, e, b, t))
		}
		row = append(row, peakCells(res, engOurs, b, t)...)
	}
	return append(row, rssCells(res, engines, b, t)...)
}

// int8Ratios are the int8 table's ratios: ours int8's speed over each
// engine's (there where it ran), then its latency over ORT float32's.
var int8Ratios = []struct {
	header, other string
	latency       bool
}{
	{"ours int8/ORT fp32", engORT, false},
	{"ours int8/PyTorch int8", engTorchInt8, false},
	{"ours int8/ORT int8", engORTInt8, false},
	{"ours int8/ours fp32", engOurs, false},
	{"ours int8 ms/ORT fp32 ms", engORT, true},
}

// writeInt8Table writes the int8 table: per config, each int8 engine's ms
// per batch and img/s, ours int8's speed ratios (to ORT float32, PyTorch
// int8, ORT int8 and ours float32) and latency ratio (to ORT float32),
// its GOP/s and share of the VNNI peak, and each int8 engine's peak RSS.
func writeInt8Table(sb *strings.Builder, res *Results) {
	o := res.Options
	engines := o.int8Engines()
	header := []string{"batch", "threads"}
	for _, e := range engines {
		header = append(header, title(e)+" ms")
	}
	for _, e := range engines {
		header = append(header, title(e)+" img/s")
	}
	if o.has(engOursInt8) {
		for _, r := range int8Ratios {
			if o.has(r.other) {
				header = append(header, r.header)
			}
		}
		header = append(header, "ours int8 GOP/s", "ours int8 % VNNI peak")
	}
	for _, e := range engines {
		header = append(header, title(e)+" RSS MiB")
	}
	var rows [][]string
	for _, b := range o.Batches {
		for _, t := range o.Threads {
			row := []string{fmt.Sprint(b), fmt.Sprint(t)}
			row = append(row, timeCells(res, engines, b, t)...)
			if o.has(engOursInt8) {
				for _, r := range int8Ratios {
					switch {
					case !o.has(r.other):
					case r.latency:
						row = append(row, latencyRatio(res, engOursInt8, r.other, b, t))
					default:
						row = append(row, speedRatio(res, engOursInt8, r.other, b, t))
					}
				}
				row = append(row, peakCells(res, engOursInt8, b, t)...)
			}
			rows = append(rows, append(row, rssCells(res, engines, b, t)...))
		}
	}
	harness.MarkdownTable(sb, header, rows)
}

// cellText is f of engine e's cell at batch b and t threads, or "err".
func cellText(res *Results, e string, b, t int, f func(Cell) string) string {
	if c, ok := findCell(res.Cells, e, b, t); ok {
		return f(c)
	}
	return "err"
}

// timeCells are the engines' ms per batch, then their img/s.
func timeCells(res *Results, engines []string, b, t int) []string {
	var ms, ips []string
	for _, e := range engines {
		ms = append(ms, cellText(res, e, b, t, func(c Cell) string { return fmt.Sprintf("%.1f", c.MsPerBatch) }))
		ips = append(ips, cellText(res, e, b, t, func(c Cell) string { return fmt.Sprintf("%.1f", c.ImagesPerSec) }))
	}
	return append(ms, ips...)
}

// peakCells are engine e's GFLOP/s (GOP/s) and share of its peak.
func peakCells(res *Results, e string, b, t int) []string {
	return []string{cellText(res, e, b, t, func(c Cell) string { return fmt.Sprintf("%.1f", c.GFLOPS) }),
		cellText(res, e, b, t, func(c Cell) string { return fmt.Sprintf("%.1f%%", 100*c.PeakFraction) })}
}

// rssCells are the engines' peak RSS in MiB.
func rssCells(res *Results, engines []string, b, t int) []string {
	var row []string
	for _, e := range engines {
		row = append(row, cellText(res, e, b, t, func(c Cell) string {
			if c.PeakRSS <= 0 {
				return "–"
			}
			return fmt.Sprintf("%.0f", mb(c.PeakRSS))
		}))
	}
	return row
}

// speedRatio is engine a's img/s over engine b's, "–" where either failed.
func speedRatio(res *Results, a, other string, b, t int) string {
	ca, okA := findCell(res.Cells, a, b, t)
	co, okO := findCell(res.Cells, other, b, t)
	if !okA || !okO {
		return "–"
	}
	return fmt.Sprintf("%.2f×", ca.ImagesPerSec/co.ImagesPerSec)
}

// latencyRatio is engine a's ms per batch over engine b's, "–" where
// either failed.
func latencyRatio(res *Results, a, other string, b, t int) string {
	ca, okA := findCell(res.Cells, a, b, t)
	co, okO := findCell(res.Cells, other, b, t)
	if !okA || !okO {
		return "–"
	}
	return fmt.Sprintf("%.2f", ca.MsPerBatch/co.MsPerBatch)
}

// writeSpreadTable writes the spread over rounds and the PyTorch mode of
// each config: for judging the medians.
func writeSpreadTable(sb *strings.Builder, res *Results) {
	o := res.Options
	header := []string{"batch", "threads"}
	for _, e := range o.Engines {
		header = append(header, title(e))
	}
	header = append(header, "others (cores)")
	for _, e := range torchEngines(o) {
		header = append(header, title(e)+" mode")
	}
	var rows [][]string
	for _, b := range o.Batches {
		for _, t := range o.Threads {
			rows = append(rows, spreadRow(res, b, t))
		}
	}
	harness.MarkdownTable(sb, header, rows, "PyTorch mode", "PyTorch int8 mode")
}

// torchEngines are pytorch and pytorch-int8, where selected.
func torchEngines(o *options) []string {
	return slices.DeleteFunc([]string{engTorch, engTorchInt8}, func(e string) bool { return !o.has(e) })
}

// spreadRow is writeSpreadTable's row for batch b and t threads.
func spreadRow(res *Results, b, t int) []string {
	o := res.Options
	row := []string{fmt.Sprint(b), fmt.Sprint(t)}
	others := 0.0
	for _, e := range o.Engines {
		c, ok := findCell(res.Cells, e, b, t)
		s := fmt.Sprintf("%d failed", c.Errors)
		if ok {
			s = fmt.Sprintf("%.1f–%.1f (n=%d)", c.MsMin, c.MsMax, c.Rounds)
			if c.Errors > 0 {
				s += fmt.Sprintf(", %d failed", c.Errors)
			}
		}
		if n := c.Attempts - c.Rounds; n > 0 {
			s += fmt.Sprintf(", %d retried", n)
		}
		others = max(others, c.OtherCores)
		row = append(row, s)
	}
	row = append(row, fmt.Sprintf("≤ %.2f", others))
	for _, e := range torchEngines(o) {
		c, _ := findCell(res.Cells, e, b, t)
		mode := c.Mode
		if p, ok := res.probes(e)[cfgKey(b, t)]; ok && p.Err == "" {
			mode += " (probe: " + fmtModes(p.Modes) + ")"
		} else if ok {
			mode += " (probe failed)"
		}
		row = append(row, mode)
	}
	return row
}

// notes are the report's footnotes: res.Notes, then how each engine ran
// and what "others" means.
func notes(res *Results) []string {
	o := res.Options
	notes := slices.Clone(res.Notes)
	if o.has(engTorch) {
		notes = append(notes, fmt.Sprintf("PyTorch: torch.set_num_threads(T), inference_mode, eval; OPENBLAS_CORETYPE=%s; "+
			"mode %s (auto: the fastest of %s, probed once per config, checked against the default output).",
			orDash(o.OpenBLASCore), o.TorchMode, o.TorchProbe))
	}
	if o.has(engORT) {
		notes = append(notes, "ONNX Runtime: onnxruntime-node CPU provider, intraOpNumThreads=T, interOpNumThreads=1, "+
			"graphOptimizationLevel all, sequential; model exported by torch.onnx.export (opset "+fmt.Sprint(o.Opset)+", dynamic batch).")
	}
	if o.has(engTorchInt8) {
		notes = append(notes, fmt.Sprintf("PyTorch int8: torch_bench.py --precision int8: prepare_fx/convert_fx with the %s engine's "+
			"default weight observer (per-channel symmetric int8) and MinMax uint8 activations, calibrated on 4 seeded random images; "+
			"each run checks its logits against the float32 model's (max |diff| ≤ %g × their range); "+
			"mode %s (auto: the fastest of %s, probed once per config).",
			orDash(res.TorchQEngine), int8RTol, o.TorchInt8Mode, o.TorchInt8Probe))
	}
	if o.has(engORTInt8) {
		notes = append(notes, "ONNX Runtime int8: as ONNX Runtime, on the QDQ model that quantize_onnx.py makes from the float32 export "+
			"(per-channel symmetric int8 weights, int32 biases, uint8 activations with min/max ranges from 8 seeded random images).")
	}
	for _, e := range []string{engOurs, engOursInt8} {
		if !o.has(e) {
			continue
		}
		s := title(e) + ": alexnet bench --arch torchvision --json"
		if e == engOursInt8 {
			s += " --precision int8"
		}
		if len(o.OursArgs) > 0 {
			s += " " + strings.Join(o.OursArgs, " ")
		}
		if o.GOMAXPROCS {
			s += ", GOMAXPROCS=T"
		}
		notes = append(notes, s+".")
	}
	return append(notes, fmt.Sprintf("others: the most CPU, in cores, that other processes used during one of a config's runs "+
		"(/proc/stat less the engine's own rusage); a run above %.2f was retried up to %d time(s), keeping the quietest attempt.",
		o.BusyThreshold, o.BusyRetries))
}

// failures lists the engines dropped, the failed probes and the failed
// runs, one line each.
func failures(res *Results) []string {
	var errs []string
	for _, e := range slices.Sorted(mapKeys(res.Dropped)) {
		errs = append(errs, fmt.Sprintf("%s not run: %s", title(e), firstLine(res.Dropped[e])))
	}
	for _, e := range []string{engTorch, engTorchInt8} {
		probes := res.probes(e)
		for _, k := range slices.Sorted(mapKeys(probes)) {
			if p := probes[k]; p.Err != "" {
				errs = append(errs, fmt.Sprintf("%s probe %s (the default mode was used): %s", title(e), k, lastLine(p.Err)))
			}
		}
	}
	for _, r := range res.Runs {
		if r.Err != "" {
			errs = append(errs, fmt.Sprintf("round %d, %s bs%d t%d: %s", r.Round, title(r.Engine), r.Batch, r.Threads, firstLine(r.Err)))
		}
	}
	return errs
}

// lastLine is the last non-empty line of s (a Python traceback's message).
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return firstLine(strings.TrimSpace(lines[len(lines)-1]))
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func mapSlice(s []string, f func(string) string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = f(v)
	}
	return out
}

func batchMapString(o *options, f func(int) int) string {
	var parts []string
	for _, b := range o.Batches {
		parts = append(parts, fmt.Sprintf("bs%d: %d", b, f(b)))
	}
	return strings.Join(parts, ", ")
}

var engineColor = map[string]color.Color{
	engOurs:  color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	engORT:   color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
	engTorch: color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
	// int8: the lighter shade of the same hue.
	engOursInt8:  color.RGBA{R: 0x7f, G: 0xb8, B: 0xe6, A: 0xff},
	engORTInt8:   color.RGBA{R: 0xff, G: 0xbb, B: 0x78, A: 0xff},
	engTorchInt8: color.RGBA{R: 0xf0, G: 0x8a, B: 0x88, A: 0xff},
}

// charts writes throughput.png (img/s) and rss.png (peak RSS MB), grouped
// bars: one group per config, one bar per engine.
func charts(res *Results, out string) error {
	o := res.Options
	sub := fmt.Sprintf("median of %d round(s)", o.Rounds)
	if cpu := res.Host["cpu"]; cpu != "" {
		sub = cpu + ", " + res.Host["cpus"] + " CPUs; " + sub
	}
	if err := barChart(res, filepath.Join(out, "throughput.png"),
		"AlexNet (torchvision, 224×224) throughput, higher is better\n"+sub, "images / s",
		func(c Cell) float64 { return c.ImagesPerSec }, "%.1f"); err != nil {
		return err
	}
	return barChart(res, filepath.Join(out, "rss.png"),
		"AlexNet (torchvision, 224×224) peak resident memory, lower is better\n"+sub, "peak RSS (MiB)",
		func(c Cell) float64 { return mb(c.PeakRSS) }, "%.0f")
}

func barChart(res *Results, path, titleText, yLabel string, value func(Cell) float64, format string) error {
	o := res.Options
	p := plot.New()
	p.Title.Text = titleText
	p.Y.Label.Text = yLabel
	p.Y.Min = 0
	var names []string
	for _, b := range o.Batches {
		for _, t := range o.Threads {
			names = append(names, fmt.Sprintf("batch %d, %d thread%s", b, t, map[bool]string{true: "s"}[t > 1]))
		}
	}
	n := len(o.Engines)
	groupW := vg.Length(min(150, 780/max(1, len(names)))) * 0.8
	barW := groupW / vg.Length(n)
	ymax := 0.0
	for i, e := range o.Engines {
		vals := make(plotter.Values, len(names))
		xys := make(plotter.XYs, len(names))
		labels := make([]string, len(names))
		k := 0
		for _, b := range o.Batches {
			for _, t := range o.Threads {
				c, ok := findCell(res.Cells, e, b, t)
				xys[k].X = float64(k)
				if ok {
					vals[k] = value(c)
					labels[k] = fmt.Sprintf(format, vals[k])
				} else {
					labels[k] = "err"
				}
				xys[k].Y = vals[k]
				ymax = math.Max(ymax, vals[k])
				k++
			}
		}
		bars, err := plotter.NewBarChart(vals, barW)
		if err != nil {
			return err
		}
		bars.Color = engineColor[e]
		bars.LineStyle.Width = 0
		bars.Offset = barW * (vg.Length(i) - vg.Length(n-1)/2)
		p.Add(bars)
		p.Legend.Add(title(e), bars)
		lab, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
		if err != nil {
			return err
		}
		for j := range lab.TextStyle {
			lab.TextStyle[j].XAlign = text.XCenter
			lab.TextStyle[j].YAlign = text.YBottom
			lab.TextStyle[j].Font.Size = vg.Points(7)
		}
		lab.Offset = vg.Point{X: bars.Offset, Y: vg.Points(1)}
		p.Add(lab)
	}
	p.Y.Max = ymax * 1.12
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.6, float64(len(names))-0.4
	p.Legend.Top = true
	p.Legend.Left = true
	grid := plotter.NewGrid()
	grid.Vertical.Color = nil
	p.Add(grid)
	return p.Save(11*vg.Inch, 5.5*vg.Inch, path)
}
