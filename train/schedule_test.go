package train

import (
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/alexnet-go/alexnet/internal/testutil"
)

// TestSchedulesMatchPyTorch compares StepLR and ReduceLROnPlateau with
// PyTorch's learning rates epoch by epoch, and WarmupCosine with
// SequentialLR(LinearLR, CosineAnnealingLR) step by step (to 1e-12
// relative: PyTorch's cosine is a recurrence, ours the closed form).
func TestSchedulesMatchPyTorch(t *testing.T) {
	var fx struct {
		StepLR []struct {
			LR       float64   `json:"lr"`
			StepSize int       `json:"step_size"`
			Gamma    float64   `json:"gamma"`
			LRs      []float64 `json:"lrs"`
		} `json:"step_lr"`
		Plateau []struct {
			Config  torchArgs[Plateau] `json:"config"`
			LR      float64            `json:"lr"`
			Metrics []float64          `json:"metrics"`
			LRs     []float64          `json:"lrs"`
		} `json:"plateau"`
		WarmupCosine []struct {
			LR          float64   `json:"lr"`
			StartFactor float64   `json:"start_factor"`
			Warmup      int       `json:"warmup"`
			Total       int       `json:"total"`
			LRs         []float64 `json:"lrs"`
		} `json:"warmup_cosine"`
	}
	testutil.ReadJSON(t, filepath.Join(fixtures, "schedules.json"), &fx)
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
		p := &c.Config.V
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
	if len(fx.WarmupCosine) == 0 {
		t.Fatal("no warmup_cosine cases in schedules.json")
	}
	for _, c := range fx.WarmupCosine {
		s := WarmupCosine{LR: c.LR, StartFactor: c.StartFactor, Warmup: c.Warmup, Total: c.Total, Cosine: true}
		for step, want := range c.LRs {
			if got := s.At(step); math.Abs(got-want) > 1e-12*c.LR {
				t.Errorf("%+v step %d: lr %.17g, PyTorch %.17g", s, step, got, want)
				break
			}
		}
	}
}

// TestWarmupCosineEdges: no cosine keeps the rate after the warm-up, and
// steps past Total stay at MinLR.
func TestWarmupCosineEdges(t *testing.T) {
	s := WarmupCosine{LR: 0.1, StartFactor: 0.01, Warmup: 4, Total: 10}
	if got := s.At(2); math.Abs(got-0.1*(0.01+0.99*2/4)) > 1e-15 {
		t.Errorf("warm-up step 2: %g", got)
	}
	if got := s.At(7); got != 0.1 {
		t.Errorf("after warm-up without cosine: %g, want 0.1", got)
	}
	s.Cosine, s.MinLR = true, 0.001
	if got := s.At(25); got != 0.001 {
		t.Errorf("past the end: %g, want MinLR", got)
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

// TestETA: the time left is this call's pace over the steps still to go;
// a resumed run counts from where it resumed.
func TestETA(t *testing.T) {
	e := newETA(100, 1100) // resumed at step 100 of 1100
	if got := e.leftAt(100, e.start.Add(time.Hour)); got != 0 {
		t.Errorf("before a step: %v", got)
	}
	if got := e.leftAt(300, e.start.Add(10*time.Minute)); got != 40*time.Minute {
		t.Errorf("200 steps in 10 min, 800 to go: %v, want 40m", got)
	}
	if got := e.leftAt(1100, e.start.Add(time.Hour)); got != 0 {
		t.Errorf("at the end: %v", got)
	}
}
