package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// With COMPARE_FAKE_ENGINE=1 the test binary plays `alexnet bench` and,
// as --python, torch_bench.py and setup's torch import, so that the
// driver's plumbing (setup, probes, process per run, JSON, rusage, summary,
// charts) is tested without the real engines.
func TestMain(m *testing.M) {
	if os.Getenv("COMPARE_FAKE_ENGINE") == "1" {
		fakeEngine(os.Args[1:])
		return
	}
	os.Exit(m.Run())
}

// fakeMs is the fake engines' ms per batch: 10 per image per thread, a
// quarter of that for int8, a half of that for PyTorch.
func fakeMs(torch bool, precision string, batch, threads int) float64 {
	ms := 10 * float64(batch) / float64(threads)
	if precision == "int8" {
		ms /= 4
	}
	if torch {
		ms *= 2
	}
	return ms
}

func fakeEngine(args []string) {
	switch {
	case len(args) == 2 && args[0] == "-c": // setup's torch check
		fmt.Println("1.13.0a0 0.14.1a0 qnnpack,none,onednn")
		return
	case len(args) > 0 && strings.HasSuffix(args[0], "torch_bench.py"):
		fakeTorch(args[1:])
		return
	case len(args) < 1 || args[0] != "bench":
		fmt.Fprintln(os.Stderr, "fake: want bench")
		os.Exit(2)
	}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	batch := fs.Int("batch", 1, "")
	threads := fs.Int("threads", 1, "")
	fs.Int("iters", 1, "")
	fs.Int("warmup", 1, "")
	fs.String("arch", "", "")
	precision := fs.String("precision", "fp32", "")
	js := fs.Bool("json", false, "")
	if err := fs.Parse(args[1:]); err != nil {
		fmt.Println("      --json   print one JSON object") // --help, as the real one
		fmt.Println("      --precision string   fp32, or int8")
		os.Exit(0)
	}
	if !*js {
		os.Exit(2)
	}
	ms := fakeMs(false, *precision, *batch, *threads)
	r := map[string]any{"batch": *batch, "threads": *threads, "ms_per_batch": ms,
		"images_per_sec": float64(*batch) * 1e3 / ms, "peak_rss_bytes": 1 << 20, "layers": []any{}}
	if *precision == "int8" && os.Getenv("COMPARE_FAKE_NO_INT8") == "" {
		r["precision"] = "int8"
	}
	fmt.Println("some log line {not json")
	b, _ := json.MarshalIndent(r, "", "  ")
	fmt.Println(string(b))
}

// fakeTorch plays torch_bench.py; COMPARE_FAKE_DIFF sets its int8 check's
// max |diff| (the range is 1).
func fakeTorch(args []string) {
	fs := flag.NewFlagSet("torch_bench.py", flag.ExitOnError)
	batch := fs.Int("batch", 1, "")
	threads := fs.Int("threads", 1, "")
	fs.Int("iters", 1, "")
	fs.Int("warmup", 1, "")
	mode := fs.String("mode", "default", "")
	probe := fs.Bool("probe", false, "")
	modes := fs.String("modes", "", "")
	precision := fs.String("precision", "fp32", "")
	qengine := fs.String("qengine", "auto", "")
	fs.Parse(args)
	if *probe {
		m := map[string]float64{}
		for i, name := range strings.Split(*modes, ",") {
			m[name] = 100 - float64(i) // the last is the fastest
		}
		best := (*modes)[strings.LastIndex(*modes, ",")+1:]
		b, _ := json.Marshal(map[string]any{"best": best, "modes": m, "max_abs_diff": map[string]float64{}})
		fmt.Println(string(b))
		return
	}
	ms := fakeMs(true, *precision, *batch, *threads)
	r := map[string]any{"engine": "pytorch", "precision": *precision, "mode": *mode, "batch": *batch, "threads": *threads,
		"ms_per_batch": ms, "peak_rss_bytes": 2 << 20}
	if *precision == "int8" {
		diff, _ := strconv.ParseFloat(cmp.Or(os.Getenv("COMPARE_FAKE_DIFF"), "0.01"), 64)
		r["qengine"] = *qengine
		r["check"] = map[string]float64{"max_abs_diff": diff, "range": 1, "top1_agreement": 1}
	}
	b, _ := json.Marshal(r)
	fmt.Println(string(b))
}

func TestDriverWithFakeEngine(t *testing.T) {
	exe := asFakeEngine(t)
	out := t.TempDir()
	o, err := parseFlags([]string{"--engines", "ours,ours-int8,pytorch-int8", "--ours-bin", exe, "--python", exe,
		"--cache", t.TempDir(), "--rounds", "2",
		"--batches", "1,4", "--threads", "1,2", "--iters", "1:3,4:2", "--out", out, "--dir", out})
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout, _ = os.Open(os.DevNull)
	err = run(context.Background(), o)
	os.Stdout = stdout
	if err != nil {
		t.Fatal(err)
	}
	var res Results
	b, err := os.ReadFile(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Runs) != 3*2*2*2 {
		t.Fatalf("%d runs, want 24", len(res.Runs))
	}
	for _, r := range res.Runs {
		if r.Err != "" {
			t.Fatalf("run failed: %+v", r)
		}
		torch := r.Engine == engTorchInt8
		precision := map[bool]string{true: "int8"}[isInt8(r.Engine)]
		if want := fakeMs(torch, precision, r.Batch, r.Threads); r.MsPerBatch != want {
			t.Errorf("%s bs%d t%d: %v ms, want %v", r.Engine, r.Batch, r.Threads, r.MsPerBatch, want)
		}
		if want := int64(1 << 20); r.PeakRSS <= 0 || (!torch && r.PeakRSSSelf != want) {
			t.Errorf("RSS %d (self %d)", r.PeakRSS, r.PeakRSSSelf)
		}
		// The int8 probe's last mode is the fake's fastest.
		if torch && r.Mode != "onednn/jit" {
			t.Errorf("pytorch-int8 mode %q, want onednn/jit", r.Mode)
		}
	}
	if res.TorchQEngine != "onednn" || len(res.TorchInt8Probe) != 4 || len(res.TorchProbe) != 0 {
		t.Errorf("qengine %q, int8 probes %v, probes %v", res.TorchQEngine, res.TorchInt8Probe, res.TorchProbe)
	}
	if len(res.Cells) != 3*4 || res.Cells[0].Rounds != 2 {
		t.Fatalf("summary %+v", res.Cells)
	}
	for _, f := range []string{"results.md", "throughput.png", "rss.png"} {
		checkFile(t, filepath.Join(out, f))
	}
	md, _ := os.ReadFile(filepath.Join(out, "results.md"))
	for _, want := range []string{"## int8", "ours int8/PyTorch int8", "ours int8/ours fp32", "2.00×", "4.00×", "**onednn**", "no fbgemm"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("results.md lacks %q:\n%s", want, md)
		}
	}
}

// A run whose engine did not do what was asked fails: ours-int8 that did
// not say int8, PyTorch int8 whose logits are off.
func TestRunOnceChecks(t *testing.T) {
	exe := asFakeEngine(t)
	o, err := parseFlags([]string{"--ours-bin", exe, "--python", exe, "--out", "x", "--dir", "y", "--torch-int8-mode", "jit"})
	if err != nil {
		t.Fatal(err)
	}
	o.qengine = "onednn"
	res := &Results{}
	if r := runOnce(context.Background(), o, res, engTorchInt8, 2, 1, 1); r.Err != "" || r.Mode != "onednn/jit" {
		t.Errorf("pytorch-int8: %+v", r)
	}
	t.Setenv("COMPARE_FAKE_DIFF", "0.2")
	if r := runOnce(context.Background(), o, res, engTorchInt8, 2, 1, 1); !strings.Contains(r.Err, "int8 logits off") {
		t.Errorf("pytorch-int8 with logits 0.2 off: error %q", r.Err)
	}
	t.Setenv("COMPARE_FAKE_NO_INT8", "1")
	if r := runOnce(context.Background(), o, res, engOursInt8, 2, 1, 1); !strings.Contains(r.Err, "not int8") {
		t.Errorf("ours-int8 that ran fp32: error %q", r.Err)
	}
	if r := runOnce(context.Background(), o, res, engOurs, 2, 1, 1); r.Err != "" {
		t.Errorf("ours: %+v", r)
	}
}

func checkFile(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".png") && !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("%s is not a PNG", path)
	}
}

func TestLastJSON(t *testing.T) {
	out := []byte("warming up {x\n{\"a\": 1}\nnoise\n{\n  \"ms_per_batch\": 2.5,\n  \"layers\": [{\"ms\": 1}]\n}\n")
	var v engineJSON
	if err := decodeLast(out, &v); err != nil || v.MsPerBatch != 2.5 {
		t.Fatalf("got %+v, %v", v, err)
	}
	if _, err := lastJSON([]byte("no json here")); err == nil {
		t.Fatal("want an error")
	}
}

func TestParseFlags(t *testing.T) {
	o, err := parseFlags([]string{"--quick", "--engines", "torch,onnxruntime", "--out", "x", "--dir", "y"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Rounds != 1 || o.itersFor(64) != 2 || o.itersFor(1) != 8 || o.warmupFor(8) != 1 {
		t.Errorf("quick: rounds %d, iters %v, warmup %v", o.Rounds, o.Iters, o.Warmup)
	}
	if strings.Join(o.Engines, ",") != "pytorch,ort" {
		t.Errorf("engines %v", o.Engines)
	}
	o, err = parseFlags([]string{"--quick", "--rounds", "4", "--batches", "2", "--out", "x", "--dir", "y", "--engines", "ort"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Rounds != 4 || o.itersFor(2) != 21 || o.itersFor(64) != 2 {
		t.Errorf("rounds %d, iters(2) %d", o.Rounds, o.itersFor(2))
	}
	o, err = parseFlags([]string{"--engines", "int8,ort,torch-int8,onnxruntime-int8", "--out", "x", "--dir", "y", "--ours-bin", "z"})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(o.Engines, ","); got != "ours-int8,ort-int8,pytorch-int8,ort" {
		t.Errorf("engines int8,ort,...: %v", got)
	}
	if o, err = parseFlags([]string{"--engines", "fp32", "--out", "x", "--dir", "y", "--ours-bin", "z"}); err != nil ||
		strings.Join(o.Engines, ",") != "ours,ort,pytorch" || len(o.int8Engines()) != 0 {
		t.Errorf("engines fp32: %v, %v", o.Engines, err)
	}
	for _, bad := range [][]string{{"--engines", "tf"}, {"--engines", "tf-int8"}, {"--torch-int8-mode", "mkldnn"},
		{"--torch-int8-probe", "jit,nomkldnn"}, {"--torch-qengine", "tensorrt"}, {"--batches", "0"}, {"--iters", "8"}, {"--rounds", "0"}, {"--torch-mode", "fast"}, {"--torch-probe", "default,xla"}} {
		if _, err := parseFlags(append(bad, "--out", "x", "--dir", "y", "--ours-bin", "z")); err == nil {
			t.Errorf("%v: want an error", bad)
		}
	}
}

func TestSummaryAndReport(t *testing.T) {
	o, err := parseFlags([]string{"--batches", "1,64", "--threads", "1", "--out", "x", "--dir", "y", "--ours-bin", "z"})
	if err != nil {
		t.Fatal(err)
	}
	res := &Results{Started: time.Unix(0, 0), Options: o, Host: map[string]string{"cpu": "Test CPU", "cpus": "2"},
		TorchProbe: map[string]Probe{cfgKey(64, 1): {Best: "channels_last", Modes: map[string]float64{"default": 900, "channels_last": 800}}}}
	add := func(e string, b int, ms ...float64) {
		for i, m := range ms {
			r := Run{Engine: e, Batch: b, Threads: 1, Round: i + 1, MsPerBatch: m, PeakRSS: int64(100+i) << 20}
			if m < 0 {
				r = Run{Engine: e, Batch: b, Threads: 1, Round: i + 1, Err: "boom\nmore"}
			}
			if e == engTorch {
				r.Mode = "channels_last"
			}
			res.Runs = append(res.Runs, r)
		}
	}
	add(engOurs, 1, 30, 10, 20)
	add(engORT, 1, 10, 10, 10)
	add(engTorch, 1, 40, 40, -1)
	add(engOurs, 64, -1, -1, -1)
	add(engORT, 64, 640, 640, 640)
	add(engTorch, 64, 800, 800, 800)
	res.Cells = summarize(res)
	c, ok := findCell(res.Cells, engOurs, 1, 1)
	if !ok || c.MsPerBatch != 20 || c.MsMin != 10 || c.MsMax != 30 || c.ImagesPerSec != 50 || c.PeakRSS != 102<<20 {
		t.Fatalf("ours bs1: %+v", c)
	}
	if want := 50 * o.GFLOPPerImage / 170; abs(c.PeakFraction-want) > 1e-12 {
		t.Errorf("peak fraction %v, want %v", c.PeakFraction, want)
	}
	if c, _ := findCell(res.Cells, engTorch, 1, 1); c.Rounds != 2 || c.Errors != 1 {
		t.Errorf("torch bs1: %+v", c)
	}
	if _, ok := findCell(res.Cells, engOurs, 64, 1); ok {
		t.Error("ours bs64 failed every round but has a figure")
	}
	md := markdown(res)
	for _, want := range []string{
		"| 1 |       1 |", // right-aligned numbers
		"0.50×",           // ours/ORT at bs1: 50 img/s vs 100
		"2.00×",           // ours/PyTorch at bs1: 50 vs 25
		"% FMA peak",
		"channels_last (probe: channels_last=800.0ms default=900.0ms)",
		"round 1, ours bs64 t1: boom",
	} {
		if !strings.Contains(strings.ReplaceAll(md, "|     1 |", "| 1 |"), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	dir := t.TempDir()
	if err := charts(res, dir); err != nil {
		t.Fatal(err)
	}
	checkFile(t, filepath.Join(dir, "throughput.png"))
	checkFile(t, filepath.Join(dir, "rss.png"))
}

// The int8 table: each int8 engine's figures, ours int8's ratios to ORT
// float32, PyTorch int8, ORT int8 and ours float32, its latency over ORT
// float32's, and its share of the VNNI peak.
func TestInt8Report(t *testing.T) {
	o, err := parseFlags([]string{"--batches", "1,64", "--threads", "2", "--out", "x", "--dir", "y", "--ours-bin", "z"})
	if err != nil {
		t.Fatal(err)
	}
	res := &Results{Started: time.Unix(0, 0), Options: o, TorchQEngine: "onednn", TorchQEngines: []string{"qnnpack", "onednn"},
		TorchInt8Probe: map[string]Probe{cfgKey(1, 2): {Best: "jit", Modes: map[string]float64{"default": 9, "jit": 8}}},
		Dropped:        map[string]string{"nothing": "just testing"}}
	for e, ms := range map[string][2]float64{ // bs1, bs64
		engOurs: {20, 400}, engORT: {16, 320}, engTorch: {40, 800},
		engOursInt8: {4, 80}, engORTInt8: {8, 100}, engTorchInt8: {10, 160},
	} {
		for i, b := range []int{1, 64} {
			r := Run{Engine: e, Batch: b, Threads: 2, Round: 1, MsPerBatch: ms[i], PeakRSS: 100 << 20}
			if e == engTorchInt8 {
				r.Mode = "onednn/jit"
			}
			res.Runs = append(res.Runs, r)
		}
	}
	res.Cells = summarize(res)
	c, _ := findCell(res.Cells, engOursInt8, 64, 2)
	if want := 800 * o.GFLOPPerImage / (4 * 170 * 2); abs(c.PeakFraction-want) > 1e-12 {
		t.Errorf("ours-int8 VNNI peak fraction %v, want %v", c.PeakFraction, want)
	}
	c, _ = findCell(res.Cells, engOurs, 64, 2)
	if want := 160 * o.GFLOPPerImage / (170 * 2); abs(c.PeakFraction-want) > 1e-12 {
		t.Errorf("ours FMA peak fraction %v, want %v", c.PeakFraction, want)
	}
	md := markdown(res)
	fp32, int8, ok := strings.Cut(md, "## int8")
	if !ok || !strings.Contains(fp32, "## float32") {
		t.Fatalf("no float32 and int8 sections:\n%s", md)
	}
	if strings.Contains(fp32, "int8 ms") || strings.Contains(int8, "| ours ms") {
		t.Errorf("engines in the wrong table:\n%s", md)
	}
	// bs64: ours int8 800 img/s; ORT 200, PyTorch int8 400, ORT int8 640,
	// ours 160; latency 80 ms / 320 ms.
	header, row := tableLine(t, int8, "| batch | threads | ours int8 ms"), tableLine(t, int8, "|    64 |")
	for col, want := range map[string]string{
		"ours int8/ORT fp32": "4.00×", "ours int8/PyTorch int8": "2.00×", "ours int8/ORT int8": "1.25×",
		"ours int8/ours fp32": "5.00×", "ours int8 ms/ORT fp32 ms": "0.25", "ours int8 % VNNI peak": "84.0%",
		"PyTorch int8 img/s": "400.0",
	} {
		i := slices.Index(header, col)
		if i < 0 || row[i] != want {
			t.Errorf("int8 table %q: %q, want %q\n%s", col, row[min(max(i, 0), len(row)-1)], want, int8)
		}
	}
	for _, want := range []string{"**onednn** quantized engine (this torch has qnnpack, onednn; no fbgemm)",
		"onednn/jit (probe: default=9.0ms jit=8.0ms)", "nothing not run: just testing", "% VNNI peak = ours int8's GOP/s ÷ (4 × 170"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	dir := t.TempDir()
	if err := charts(res, dir); err != nil {
		t.Fatal(err)
	}
}

// tableLine splits the first line of md that starts with prefix into its
// trimmed cells.
func tableLine(t *testing.T, md, prefix string) []string {
	t.Helper()
	for line := range strings.Lines(md) {
		if strings.HasPrefix(line, prefix) {
			cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			return cells
		}
	}
	t.Fatalf("no line %q in\n%s", prefix, md)
	return nil
}

func TestEngineCmd(t *testing.T) {
	o, err := parseFlags([]string{"--out", "x", "--dir", "d", "--ours-bin", "alexnet", "--cache", "c", "--ours-args", "--sgemm packed"})
	if err != nil {
		t.Fatal(err)
	}
	o.qengine, o.ortInt8Model = "onednn", "c/int8.onnx"
	for e, want := range map[string]string{
		engOurs:      "alexnet bench --arch torchvision --batch 8 --threads 2 --iters 10 --warmup 2 --json --sgemm packed",
		engOursInt8:  "alexnet bench --arch torchvision --batch 8 --threads 2 --iters 10 --warmup 2 --json --precision int8 --sgemm packed",
		engORT:       "node d/ort.mjs --ort-dir c/ort --model c/alexnet-opset13.onnx --batch 8 --threads 2 --iters 10 --warmup 2",
		engORTInt8:   "node d/ort.mjs --ort-dir c/ort --model c/int8.onnx --batch 8 --threads 2 --iters 10 --warmup 2",
		engTorch:     "/usr/bin/python3 d/torch_bench.py --batch 8 --threads 2 --iters 10 --warmup 2 --mode jit",
		engTorchInt8: "/usr/bin/python3 d/torch_bench.py --batch 8 --threads 2 --iters 10 --warmup 2 --mode jit --precision int8 --qengine onednn",
	} {
		argv, env := engineCmd(o, e, "jit", 8, 2)
		if got := strings.Join(argv, " "); got != want {
			t.Errorf("%s:\n got %s\nwant %s", e, got, want)
		}
		if env["OMP_NUM_THREADS"] != "2" {
			t.Errorf("%s: env %v", e, env)
		}
	}
}

func TestPickQEngine(t *testing.T) {
	for _, c := range []struct {
		want string
		have []string
		got  string
	}{
		{"auto", []string{"qnnpack", "onednn"}, "onednn"},
		{"auto", []string{"qnnpack", "onednn", "x86", "fbgemm"}, "fbgemm"},
		{"auto", []string{"qnnpack"}, "qnnpack"},
		{"qnnpack", []string{"qnnpack", "onednn"}, "qnnpack"},
		{"auto", nil, ""},
		{"fbgemm", []string{"qnnpack", "onednn"}, ""},
	} {
		got, err := pickQEngine(c.want, c.have)
		if got != c.got || (err != nil) != (c.got == "") {
			t.Errorf("pickQEngine(%q, %v) = %q, %v; want %q", c.want, c.have, got, err, c.got)
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestEnviron(t *testing.T) {
	t.Setenv("OPENBLAS_CORETYPE", "Haswell")
	env := environ(map[string]string{"OPENBLAS_CORETYPE": "", "OMP_NUM_THREADS": strconv.Itoa(3)})
	joined := "\n" + strings.Join(env, "\n") + "\n"
	if strings.Contains(joined, "OPENBLAS_CORETYPE=") || !strings.Contains(joined, "\nOMP_NUM_THREADS=3\n") {
		t.Errorf("environ: %v", env)
	}
}

// asFakeEngine skips t in -short mode (the test starts processes), makes
// this test binary act as every engine it starts and returns its path.
func asFakeEngine(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("starts processes")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("COMPARE_FAKE_ENGINE", "1")
	return exe
}
