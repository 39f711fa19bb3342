// Command compare times this project's AlexNet engine side by side with
// ONNX Runtime (onnxruntime-node) and PyTorch on the same torchvision AlexNet
// (1000 classes, 224×224, seeded random weights), each in float32 and in
// int8, at several batch sizes and thread counts, and reports medians, speed
// ratios, peak RSS and a PNG chart.
//
// Each engine runs in a process of its own for each (batch, threads) config,
// so that its peak resident memory is that config's. Rounds are interleaved
// (every config of every engine once per round, the engine order rotating)
// because the machine is shared: medians over rounds are reported.
//
//	go run ./bench/compare                  # full run, about 10 minutes on 2 cores
//	go run ./bench/compare --quick          # 1 round, fewer iterations
//	go run ./bench/compare --replot         # redo table and chart from out/results.json
//
// See README.md beside this file.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/alexnet-go/alexnet/bench/harness"
)

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

// Results is results.json.
type Results struct {
	Started  time.Time         `json:"started"`
	Finished time.Time         `json:"finished,omitzero"`
	Host     map[string]string `json:"host"`
	Options  *options          `json:"options"`
	Versions map[string]string `json:"versions"`
	Notes    []string          `json:"notes,omitempty"`
	// TorchProbe and TorchInt8Probe (pytorch-int8's) are keyed by "bB-tT".
	TorchProbe     map[string]Probe `json:"torch_probe,omitempty"`
	TorchInt8Probe map[string]Probe `json:"torch_int8_probe,omitempty"`
	// TorchQEngines are the quantized engines of this torch, TorchQEngine
	// the one pytorch-int8 ran on.
	TorchQEngines []string `json:"torch_qengines_supported,omitempty"`
	TorchQEngine  string   `json:"torch_qengine,omitempty"`
	// Dropped are the selected engines that setup found unable to run here
	// (e.g. ort-int8 without python3-onnx), each with why.
	Dropped map[string]string `json:"dropped_engines,omitempty"`
	Runs    []Run             `json:"runs"`
	Cells   []Cell            `json:"summary"`
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
	probeAll(ctx, o, res)
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
						logf("[round %d/%d] bs%-2d t%d %-12s error: %s", r, o.Rounds, b, t, e, run.Err)
					} else {
						logf("[round %d/%d] bs%-2d t%d %-12s %9.2f ms/batch %8.2f img/s  RSS %5.0f MiB  (%.1fs wall, %.1fs cpu, others %.2f cores)",
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
		logf("[round %d/%d] bs%-2d t%d %-12s %9.2f ms/batch, but other processes used %.2f cores: again",
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
