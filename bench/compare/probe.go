package main

import (
	"context"
	"errors"
	"strconv"
)

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
