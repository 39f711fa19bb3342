package train

import (
	"math"
	"path/filepath"
	"testing"
)

// TestSchedulesMatchPyTorch compares StepLR and ReduceLROnPlateau with
// PyTorch's learning rates epoch by epoch.
func TestSchedulesMatchPyTorch(t *testing.T) {
	var fx struct {
		StepLR []struct {
			LR       float64   `json:"lr"`
			StepSize int       `json:"step_size"`
			Gamma    float64   `json:"gamma"`
			LRs      []float64 `json:"lrs"`
		} `json:"step_lr"`
		Plateau []struct {
			Config struct {
				Mode          string  `json:"mode"`
				Factor        float64 `json:"factor"`
				Patience      int     `json:"patience"`
				Threshold     float64 `json:"threshold"`
				ThresholdMode string  `json:"threshold_mode"`
				Cooldown      int     `json:"cooldown"`
				MinLR         float64 `json:"min_lr"`
				Eps           float64 `json:"eps"`
			} `json:"config"`
			LR      float64   `json:"lr"`
			Metrics []float64 `json:"metrics"`
			LRs     []float64 `json:"lrs"`
		} `json:"plateau"`
	}
	readJSON(t, filepath.Join(fixtures, "schedules.json"), &fx)
	for _, c := range fx.StepLR {
		s := StepLR{LR: c.LR, StepSize: c.StepSize, Gamma: c.Gamma}
		for e, want := range c.LRs {
			if got := s.At(e); got != want {
				t.Errorf("%+v epoch %d: lr %g, PyTorch %g", s, e, got, want)
				break
			}
		}
	}
	for i, c := range fx.Plateau {
		cfg := c.Config
		p := &Plateau{Mode: cfg.Mode, Factor: cfg.Factor, Patience: cfg.Patience, Threshold: cfg.Threshold,
			ThresholdMode: cfg.ThresholdMode, Cooldown: cfg.Cooldown, MinLR: cfg.MinLR, Eps: cfg.Eps}
		lr := c.LR
		for e, m := range c.Metrics {
			var err error
			if lr, err = p.Step(m, lr); err != nil {
				t.Fatal(err)
			}
			if lr != c.LRs[e] {
				t.Errorf("plateau case %d epoch %d: lr %g, PyTorch %g", i, e, lr, c.LRs[e])
				break
			}
		}
	}
}

func TestPlateauDefaults(t *testing.T) {
	p := NewPlateau()
	lr := 0.01
	// The validation error improves for 3 epochs, then stalls: the rate
	// drops by 10 on the 11th stalled epoch (more than Patience 10).
	errs := []float64{0.9, 0.8, 0.7}
	for range 11 {
		errs = append(errs, 0.7)
	}
	for i, e := range errs {
		var err error
		if lr, err = p.Step(e, lr); err != nil {
			t.Fatal(err)
		}
		want := 0.01
		if i == len(errs)-1 {
			want = 0.001
		}
		if math.Abs(lr-want) > 1e-15 {
			t.Fatalf("epoch %d: lr %g, want %g", i, lr, want)
		}
	}
	if _, err := (&Plateau{Mode: "mean", ThresholdMode: "rel", Factor: 0.1}).Step(1, 1); err == nil {
		t.Error("mode \"mean\" accepted")
	}
}
