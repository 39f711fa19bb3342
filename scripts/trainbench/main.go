// Command trainbench times AlexNet training steps (forward in training
// mode, cross-entropy, backward, SGD with momentum 0.9 and weight decay
// 5e-4, batch 128 by default) in this project and in PyTorch on the same
// machine, and prints a table of median seconds per step and images/s.
//
// Each engine runs in a process of its own per round; rounds are
// interleaved (the order alternating) because the machine is shared, and
// the medians over all timed steps are reported.
//
//	go run ./scripts/trainbench                         # torchvision AlexNet, 224×224, 1000 classes
//	go run ./scripts/trainbench --size 64 --classes 200 # the Tiny ImageNet setting
//	go run ./scripts/trainbench --size 64 --classes 200 --channels 32,96,192,128,128 --hidden 1024
//	go run ./scripts/trainbench --arch tiny-bn --size 64 --classes 200 --channels 32,96,192,128,128 --hidden 1024 # the preset's
//
// The PyTorch side is trainbench.py beside this file, run with
// --python (/usr/bin/python3, Debian's PyTorch 1.13, whose linear layers
// run on the system BLAS: install libopenblas0-pthread, or they take
// netlib's reference BLAS, 4x slower for the whole step). OpenBLAS runs
// with OPENBLAS_CORETYPE=SkylakeX (--openblas-coretype), its fastest here,
// as in bench/compare.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/alexnet-go/alexnet/bench/harness"
	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/tensor"
	"github.com/alexnet-go/alexnet/train"
)

type options struct {
	batch, size, classes, threads, hidden int
	warmup, steps, rounds                 int
	arch, channels, python, cpuprofile    string
	openblasCore                          string
	worker                                bool
}

type result struct {
	Engine  string    `json:"engine"`
	Seconds []float64 `json:"seconds"`
}

func main() {
	var o options
	flag.IntVar(&o.batch, "batch", 128, "images per step")
	flag.StringVar(&o.arch, "arch", model.ArchTorchvision, "architecture: torchvision, tiny or tiny-bn")
	flag.IntVar(&o.size, "size", 224, "input side")
	flag.IntVar(&o.classes, "classes", 1000, "classes")
	flag.IntVar(&o.threads, "threads", runtime.NumCPU(), "threads of both engines")
	flag.StringVar(&o.channels, "channels", "", "convolution widths c1,...,c5 (default torchvision's)")
	flag.IntVar(&o.hidden, "hidden", 0, "hidden width (default 4096)")
	flag.IntVar(&o.warmup, "warmup", 1, "untimed steps per process")
	flag.IntVar(&o.steps, "steps", 2, "timed steps per process")
	flag.IntVar(&o.rounds, "rounds", 2, "rounds (one process per engine each)")
	flag.StringVar(&o.python, "python", "/usr/bin/python3", "Python with PyTorch")
	flag.StringVar(&o.openblasCore, "openblas-coretype", "SkylakeX", "OPENBLAS_CORETYPE for PyTorch (empty: OpenBLAS's own detection)")
	flag.BoolVar(&o.worker, "worker", false, "run the Go steps in this process and print JSON (internal)")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "with -worker: write a CPU profile of the timed steps to this file")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "trainbench:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	if o.worker {
		r, err := goSteps(o)
		if err != nil {
			return err
		}
		return json.NewEncoder(os.Stdout).Encode(r)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	_, file, _, _ := runtime.Caller(0)
	py := filepath.Join(filepath.Dir(file), "trainbench.py")
	common := []string{strconv.Itoa(o.batch), strconv.Itoa(o.size), strconv.Itoa(o.classes),
		strconv.Itoa(o.threads), strconv.Itoa(o.warmup), strconv.Itoa(o.steps)}
	if o.channels != "" || o.hidden > 0 || o.arch != model.ArchTorchvision {
		ch, hid := o.channels, o.hidden
		if ch == "" {
			ch = "64,192,384,256,256"
		}
		if hid == 0 {
			hid = 4096
		}
		common = append(common, ch, strconv.Itoa(hid), o.arch)
	}
	goCmd := append([]string{self, "-worker"}, flagArgs(o)...)
	pyCmd := append([]string{o.python, py}, common...)
	secs := map[string][]float64{}
	for r := range o.rounds {
		for _, c := range harness.Rotate([][]string{goCmd, pyCmd}, r) {
			cmd := exec.Command(c[0], c[1:]...)
			if c[0] == o.python && o.openblasCore != "" {
				cmd.Env = append(os.Environ(), "OPENBLAS_CORETYPE="+o.openblasCore)
			}
			out, err := cmd.Output()
			if err != nil {
				if ee, ok := err.(*exec.ExitError); ok {
					return fmt.Errorf("%s: %v\n%s", strings.Join(c, " "), err, ee.Stderr)
				}
				return err
			}
			var res result
			if err := json.Unmarshal(out[strings.LastIndexByte(strings.TrimSpace(string(out)), '\n')+1:], &res); err != nil {
				return fmt.Errorf("%s: %v: %q", c[0], err, out)
			}
			fmt.Fprintf(os.Stderr, "round %d %s: %v s/step\n", r+1, res.Engine, res.Seconds)
			secs[res.Engine] = append(secs[res.Engine], res.Seconds...)
		}
	}
	arch := o.arch
	if o.channels != "" || o.hidden > 0 {
		arch = fmt.Sprintf("%s, channels %s hidden %d", o.arch, o.channels, o.hidden)
	}
	fmt.Printf("AlexNet (%s) training step, batch %d, %d×%d, %d classes, %d threads; median of %d steps per engine\n\n",
		arch, o.batch, o.size, o.size, o.classes, o.threads, o.steps*o.rounds)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "engine\ts/step\timages/s\tvs PyTorch\t")
	ref := harness.Median(secs["pytorch"])
	for _, e := range []string{"go", "pytorch"} {
		m := harness.Median(secs[e])
		fmt.Fprintf(tw, "%s\t%.3f\t%.1f\t%.2fx\t\n", e, m, float64(o.batch)/m, ref/m)
	}
	return tw.Flush()
}

func flagArgs(o options) []string {
	a := []string{"-batch", strconv.Itoa(o.batch), "-size", strconv.Itoa(o.size), "-classes", strconv.Itoa(o.classes),
		"-threads", strconv.Itoa(o.threads), "-warmup", strconv.Itoa(o.warmup), "-steps", strconv.Itoa(o.steps),
		"-hidden", strconv.Itoa(o.hidden), "-arch", o.arch}
	if o.channels != "" {
		a = append(a, "-channels", o.channels)
	}
	return a
}

// goSteps times the steps of this project's Trainer.
func goSteps(o options) (*result, error) {
	cfg, err := model.ConfigFor(o.arch)
	if err != nil {
		return nil, err
	}
	cfg.NumClasses, cfg.InputSize, cfg.Threads = o.classes, o.size, o.threads
	if o.channels != "" {
		parts := strings.Split(o.channels, ",")
		if len(parts) != 5 {
			return nil, fmt.Errorf("-channels %q: want 5 widths", o.channels)
		}
		for i, p := range parts {
			n, err := strconv.Atoi(p)
			if err != nil {
				return nil, err
			}
			cfg.Channels[i] = n
		}
	}
	if o.hidden > 0 {
		cfg.Hidden = o.hidden
	}
	m, err := model.New(cfg)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	train.InitTorchvision(m, rng)
	tr := train.NewTrainer(m, &train.SGD{LR: 0.01, Momentum: 0.9, WeightDecay: 5e-4}, rng)
	x := tensor.New(o.batch, 3, o.size, o.size)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	labels := make([]int, o.batch)
	for i := range labels {
		labels[i] = rng.IntN(o.classes)
	}
	r := &result{Engine: "go"}
	for i := range o.warmup + o.steps {
		if i == o.warmup && o.cpuprofile != "" {
			f, err := os.Create(o.cpuprofile)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			if err := pprof.StartCPUProfile(f); err != nil {
				return nil, err
			}
			defer pprof.StopCPUProfile()
		}
		t := time.Now()
		if _, err := tr.Step(x, labels); err != nil {
			return nil, err
		}
		if i >= o.warmup {
			r.Seconds = append(r.Seconds, time.Since(t).Seconds())
		}
	}
	return r, nil
}
