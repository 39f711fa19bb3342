package train

import (
	"fmt"
	"math"
)

// StepLR is torch.optim.lr_scheduler.StepLR: the learning rate of epoch e
// (counting from 0) is LR multiplied by Gamma once for each multiple of
// StepSize in 1..e, LR·Gamma^⌊e/StepSize⌋ in PyTorch's rounding. Gamma 0.1
// is "divide by 10 every StepSize epochs".
type StepLR struct {
	LR       float64
	StepSize int
	Gamma    float64
}

// At returns the learning rate of epoch e (LR for e < StepSize or a
// StepSize below 1).
func (s StepLR) At(epoch int) float64 {
	lr := s.LR
	if s.StepSize < 1 {
		return lr
	}
	for e := s.StepSize; e <= epoch; e += s.StepSize {
		lr *= s.Gamma
	}
	return lr
}

// Plateau is torch.optim.lr_scheduler.ReduceLROnPlateau, the paper's
// "divide the learning rate by 10 when the validation error stops
// improving" (Mode "min" on the error, Factor 0.1). After each epoch, Step
// takes the metric: it improves on the best so far when smaller (Mode
// "min") than best·(1-Threshold) (ThresholdMode "rel") or best-Threshold
// ("abs"), or larger (Mode "max") than best·(1+Threshold) or
// best+Threshold. After more than Patience epochs in a row without
// improvement the learning rate becomes max(lr·Factor, MinLR), if that
// lowers it by more than Eps, and the next Cooldown epochs count no bad
// epochs.
type Plateau struct {
	Mode          string // "min" or "max"
	Factor        float64
	Patience      int
	Threshold     float64
	ThresholdMode string // "rel" or "abs"
	Cooldown      int
	MinLR         float64
	Eps           float64

	started              bool
	best                 float64
	numBad, cooldownLeft int
}

// NewPlateau returns a Plateau with PyTorch's defaults: Mode "min", Factor
// 0.1, Patience 10, Threshold 1e-4 "rel", Cooldown 0, MinLR 0, Eps 1e-8.
func NewPlateau() *Plateau {
	return &Plateau{Mode: "min", Factor: 0.1, Patience: 10, Threshold: 1e-4, ThresholdMode: "rel", Eps: 1e-8}
}

func (p *Plateau) validate() error {
	bad := func(format string, args ...any) error { return &ConfigError{"Plateau", fmt.Sprintf(format, args...)} }
	switch {
	case p.Mode != "min" && p.Mode != "max":
		return bad("mode %q unknown", p.Mode)
	case p.ThresholdMode != "rel" && p.ThresholdMode != "abs":
		return bad("threshold mode %q unknown", p.ThresholdMode)
	case !(p.Factor < 1):
		return bad("factor %v should be < 1.0", p.Factor)
	}
	return nil
}

func (p *Plateau) better(a float64) bool {
	switch {
	case p.Mode == "min" && p.ThresholdMode == "rel":
		return a < p.best*(1-p.Threshold)
	case p.Mode == "min":
		return a < p.best-p.Threshold
	case p.ThresholdMode == "rel":
		return a > p.best*(p.Threshold+1)
	default:
		return a > p.best+p.Threshold
	}
}

// Step records one epoch's metric and returns the learning rate to use
// from now on, given the current one.
func (p *Plateau) Step(metric, lr float64) (float64, error) {
	if err := p.validate(); err != nil {
		return lr, err
	}
	if !p.started {
		p.started = true
		p.best = math.Inf(1)
		if p.Mode == "max" {
			p.best = math.Inf(-1)
		}
	}
	if p.better(metric) {
		p.best, p.numBad = metric, 0
	} else {
		p.numBad++
	}
	if p.cooldownLeft > 0 {
		p.cooldownLeft--
		p.numBad = 0
	}
	if p.numBad > p.Patience {
		if n := max(lr*p.Factor, p.MinLR); lr-n > p.Eps {
			lr = n
		}
		p.cooldownLeft, p.numBad = p.Cooldown, 0
	}
	return lr, nil
}

// PlateauState is what a Plateau has learnt from the metrics so far, for
// checkpoints.
type PlateauState struct {
	Started      bool    `json:"started"`
	Best         float64 `json:"best"` // valid when Started
	NumBad       int     `json:"num_bad"`
	CooldownLeft int     `json:"cooldown_left"`
}

// State returns p's state.
func (p *Plateau) State() PlateauState {
	return PlateauState{p.started, p.best, p.numBad, p.cooldownLeft}
}

// SetState restores a state from State.
func (p *Plateau) SetState(s PlateauState) {
	p.started, p.best, p.numBad, p.cooldownLeft = s.Started, s.Best, s.NumBad, s.CooldownLeft
}

// WarmupCosine is the per-step learning rate of torchvision's reference
// recipe (references/classification/train.py with --lr-scheduler
// cosineannealinglr --lr-warmup-method linear), stepped every iteration:
// SequentialLR of LinearLR(start_factor=StartFactor, total_iters=Warmup)
// and CosineAnnealingLR(T_max=Total-Warmup, eta_min=MinLR), milestone
// Warmup. Step t (from 0) gets
//
//	LR·(StartFactor + (1-StartFactor)·t/Warmup)             t < Warmup
//	MinLR + (LR-MinLR)·(1+cos(π·(t-Warmup)/(Total-Warmup)))/2  otherwise
//
// Warmup 0 is cosine annealing alone; Cosine false keeps LR after the
// warm-up.
type WarmupCosine struct {
	LR, StartFactor, MinLR float64
	Warmup, Total          int
	Cosine                 bool
}

// At returns the learning rate of step t.
func (s WarmupCosine) At(t int) float64 {
	if t < s.Warmup {
		return s.LR * (s.StartFactor + (1-s.StartFactor)*float64(t)/float64(s.Warmup))
	}
	if !s.Cosine || s.Total <= s.Warmup {
		return s.LR
	}
	t = min(t, s.Total) - s.Warmup
	return s.MinLR + (s.LR-s.MinLR)*(1+math.Cos(math.Pi*float64(t)/float64(s.Total-s.Warmup)))/2
}
