package main

import (
	"context"
	"errors"
	"strconv"
)

// Probe is the outcome of `torch_bench.py --probe` (with --precision int8
// for pytorch-int8) for one config.
type Probe struct {
	Best    string             `json:"best"`
	Modes   map[string]float64 `json:"modes"`
	MaxDiff map[string]float64 `json:"max_abs_diff"`
	// OtherCores and Attempts are as in Run.
	OtherCores float64 `json:"other_cores"`
	Attempts   int     `json:"attempts"`
	Err        string  `json:"error,omitempty"`
}

// probeAll probes the modes of PyTorch (float32 and int8, where selected
// and their mode is auto) for every config into res.TorchProbe and
// res.TorchInt8Probe.
func probeAll(ctx context.Context, o *options, res *Results) {
	for _, e := range []string{engTorch, engTorchInt8} {
		if !o.has(e) || o.torchMode(e) != "auto" {
			continue
		}
		for _, b := range o.Batches {
			for _, t := range o.Threads {
				p := probeTorch(ctx, o, e, b, t)
				res.probes(e)[cfgKey(b, t)] = p
				if p.Err != "" {
					logf("%s probe bs%d t%d: %s (using default)", e, b, t, p.Err)
				} else {
					logf("%s probe bs%d t%d: best %s %s", e, b, t, p.Best, fmtModes(p.Modes))
				}
			}
		}
	}
}

// probes is where res keeps the probes of engine e (pytorch or
// pytorch-int8), made on first use.
func (res *Results) probes(e string) map[string]Probe {
	m := &res.TorchProbe
	if e == engTorchInt8 {
		m = &res.TorchInt8Probe
	}
	if *m == nil {
		*m = map[string]Probe{}
	}
	return *m
}

// probeTorch runs torch_bench.py --probe for engine e (pytorch or
// pytorch-int8) and one config, again (up to --busy-retries times) while
// other processes disturb it.
func probeTorch(ctx context.Context, o *options, e string, b, t int) Probe {
	argv, env := engineCmd(o, e, "default", b, t)
	// Fewer iterations than the timed runs: this only ranks the modes.
	argv = append(argv[:2:2], "--probe", "--modes", o.torchProbe(e), "--batch", strconv.Itoa(b), "--threads", strconv.Itoa(t),
		"--iters", strconv.Itoa(max(3, min(o.itersFor(b), 5))), "--warmup", "1")
	if e == engTorchInt8 {
		argv = append(argv, "--precision", "int8", "--qengine", o.qengine)
	}
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
		logf("%s probe bs%d t%d: other processes used %.2f cores: again", e, b, t, p.OtherCores)
	}
}
