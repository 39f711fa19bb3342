package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// With COMPARE_FAKE_ENGINE=1 the test binary plays `alexnet bench`, so
// that the driver's plumbing (process per run, JSON, rusage, summary,
// charts) is tested without the real engines.
func TestMain(m *testing.M) {
	if os.Getenv("COMPARE_FAKE_ENGINE") == "1" {
		fakeEngine(os.Args[1:])
		return
	}
	os.Exit(m.Run())
}

func fakeEngine(args []string) {
	if len(args) < 1 || args[0] != "bench" {
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
	js := fs.Bool("json", false, "")
	if err := fs.Parse(args[1:]); err != nil {
		fmt.Println("      --json   print one JSON object") // --help, as the real one
		os.Exit(0)
	}
	if !*js {
		os.Exit(2)
	}
	ms := 10 * float64(*batch) / float64(*threads)
	fmt.Println("some log line {not json")
	b, _ := json.MarshalIndent(map[string]any{"batch": *batch, "threads": *threads, "ms_per_batch": ms,
		"images_per_sec": float64(*batch) * 1e3 / ms, "peak_rss_bytes": 1 << 20, "layers": []any{}}, "", "  ")
	fmt.Println(string(b))
}

func TestDriverWithFakeEngine(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("COMPARE_FAKE_ENGINE", "1")
	out := t.TempDir()
	o, err := parseFlags([]string{"--engines", "ours", "--ours-bin", exe, "--rounds", "2",
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
	if len(res.Runs) != 2*2*2 {
		t.Fatalf("%d runs, want 8", len(res.Runs))
	}
	for _, r := range res.Runs {
		if r.Err != "" {
			t.Fatalf("run failed: %+v", r)
		}
		if want := 10 * float64(r.Batch) / float64(r.Threads); r.MsPerBatch != want {
			t.Errorf("bs%d t%d: %v ms, want %v", r.Batch, r.Threads, r.MsPerBatch, want)
		}
		if r.PeakRSS <= 0 || r.PeakRSSSelf != 1<<20 {
			t.Errorf("RSS %d (self %d)", r.PeakRSS, r.PeakRSSSelf)
		}
	}
	if len(res.Cells) != 4 || res.Cells[0].Rounds != 2 {
		t.Fatalf("summary %+v", res.Cells)
	}
	for _, f := range []string{"results.md", "throughput.png", "rss.png"} {
		checkFile(t, filepath.Join(out, f))
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
	for _, bad := range [][]string{{"--engines", "tf"}, {"--batches", "0"}, {"--iters", "8"}, {"--rounds", "0"}, {"--torch-mode", "fast"}, {"--torch-probe", "default,xla"}} {
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
