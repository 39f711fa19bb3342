package train

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/alexnet-go/alexnet/internal/npy"
	"github.com/alexnet-go/alexnet/internal/numcmp"
	"github.com/alexnet-go/alexnet/internal/testutil"
	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/nn"
	"github.com/alexnet-go/alexnet/tensor"
)

// Fixtures: testdata/gen/train.py (PyTorch 1.13).
const fixtures = "../testdata/train"

// Tolerances of the whole-model test (issue 6): the first loss, every
// parameter gradient (max |ours - torch| over max |torch|, per tensor) and
// the losses of the SGD steps.
const (
	lossTol  = 1e-5
	gradTol  = 1e-4
	stepsTol = 1e-4
	// normTol bounds the relative error of each parameter's L2 norm after
	// the steps, and of its total update.
	normTol = 1e-4
)

type fixtureConfig struct {
	Version        int                `json:"version"`
	Arch           string             `json:"arch"`
	Channels       []int              `json:"channels"`
	Hidden         int                `json:"hidden"`
	NumClasses     int                `json:"num_classes"`
	InputSize      int                `json:"input_size"`
	Batch          int                `json:"batch"`
	LabelSmoothing float64            `json:"label_smoothing"`
	SGD            torchArgs[SGD]     `json:"sgd"`
	Steps          int                `json:"steps"`
	StateDict      []string           `json:"state_dict"`
	Losses         []float64          `json:"losses"`
	FinalNorm      map[string]float64 `json:"final_norm"`
	DeltaNorm      map[string]float64 `json:"delta_norm"`
}

func norm(data []float32) float64 {
	var s float64
	for _, v := range data {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s)
}

// fixture is one narrow model of testdata/train loaded for training.
type fixture struct {
	cfg     fixtureConfig
	m       *model.AlexNet
	initial map[string][]float32
	x       *tensor.Tensor
	labels  []int
	masks   map[int]*npy.Array // classifier index -> (steps, N, features)
}

func loadFixture(t *testing.T, name string) *fixture {
	t.Helper()
	dir := filepath.Join(fixtures, name)
	f := &fixture{initial: map[string][]float32{}, masks: map[int]*npy.Array{}}
	testutil.ReadJSON(t, filepath.Join(dir, "config.json"), &f.cfg)
	if f.cfg.Version != 1 {
		t.Fatalf("fixture version %d, want 1: rerun testdata/gen/train.py", f.cfg.Version)
	}
	cfg := model.Config{Arch: f.cfg.Arch, Hidden: f.cfg.Hidden, NumClasses: f.cfg.NumClasses, InputSize: f.cfg.InputSize, Threads: 2}
	copy(cfg.Channels[:], f.cfg.Channels)
	m, err := model.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.m = m
	sd := map[string]*tensor.Tensor{}
	for _, key := range f.cfg.StateDict {
		a := testutil.ReadNpy(t, filepath.Join(dir, key+".npy"))
		sd[key], _ = tensor.FromData(a.F32, a.Shape...)
		f.initial[key] = append([]float32(nil), a.F32...)
	}
	if err := m.LoadStateDict(sd); err != nil {
		t.Fatal(err)
	}
	u := testutil.ReadNpy(t, filepath.Join(dir, "input_u8.npy"))
	f.x = tensor.New(u.Shape...)
	for i, v := range u.U8 {
		f.x.Data[i] = (float32(v) - 128) / 64
	}
	for _, v := range testutil.ReadNpy(t, filepath.Join(dir, "labels_u8.npy")).U8 {
		f.labels = append(f.labels, int(v))
	}
	for _, i := range []int{0, 3} {
		f.masks[i] = testutil.ReadNpy(t, filepath.Join(dir, fmt.Sprintf("mask.classifier.%d.npy", i)))
	}
	return f
}

// trainer returns a Trainer of f's model with f's SGD settings and loss,
// replaying PyTorch's dropout masks for the step *step.
func (f *fixture) trainer(t *testing.T, step *int) *Trainer {
	s := f.cfg.SGD.V // a fresh optimiser: no momentum buffers
	tr := NewTrainer(f.m, &s, nil)
	tr.Loss = CrossEntropy{LabelSmoothing: f.cfg.LabelSmoothing}
	tr.Noise = func(i int, d *nn.Dropout, shape []int) (*tensor.Tensor, error) {
		a := f.masks[i]
		if a == nil || len(a.Shape) != 3 || *step >= a.Shape[0] {
			return nil, fmt.Errorf("no mask for classifier.%d step %d", i, *step)
		}
		n := a.Shape[1] * a.Shape[2]
		keep := tensor.New(shape...)
		if len(keep.Data) != n {
			return nil, fmt.Errorf("mask of classifier.%d is %v, input %v", i, a.Shape, shape)
		}
		for j, v := range a.U8[*step*n : (*step+1)*n] {
			keep.Data[j] = float32(v)
		}
		return d.NoiseFromMask(keep)
	}
	return tr
}

// TestTrainMatchesPyTorch is the whole-model reference test (llm.c's
// test_gpt2 style) for the narrow torchvision, original and tiny-bn
// (batch norms in training mode, running statistics checked) AlexNets, with
// every CPU variant of the kernels: PyTorch's batch in training mode
// with its dropout masks, the loss to 1e-5, every parameter gradient to
// 1e-4 relative, the logits, then the losses of 10 SGD steps (momentum
// 0.9, weight decay 5e-4) to 1e-4 and each parameter's norm and total
// update after them to 1e-4 relative. It logs the measured errors.
func TestTrainMatchesPyTorch(t *testing.T) {
	testutil.ForEachVariant(t, func(t *testing.T) {
		for _, name := range []string{"tv_narrow", "orig_narrow", "tiny_bn_narrow"} {
			t.Run(name, func(t *testing.T) { testTrain(t, name) })
		}
	})
}

// zeroGrad are the parameters whose gradient is 0 by construction: the
// biases of the convolutions a batch norm follows, which subtracts each
// channel's batch mean (their computed gradients are rounding noise, about
// 1e-9, in PyTorch and here).
var zeroGrad = map[string]map[string]bool{model.ArchTinyBN: {"features.0.bias": true, "features.4.bias": true,
	"features.8.bias": true, "features.11.bias": true, "features.14.bias": true}}

func maxAbs(v []float32) float64 {
	var m float64
	for _, x := range v {
		m = max(m, math.Abs(float64(x)))
	}
	return m
}

func testTrain(t *testing.T, name string) {
	f := loadFixture(t, name)
	dir := filepath.Join(fixtures, name)
	step := 0
	tr := f.trainer(t, &step)
	var lossErr, worstGrad, worstStep, worstNorm float64
	worstGradName := ""
	for step = 0; step < f.cfg.Steps; step++ {
		loss, err := tr.Step(f.x, f.labels)
		if err != nil {
			t.Fatal(err)
		}
		d := math.Abs(loss - f.cfg.Losses[step])
		worstStep = max(worstStep, d)
		if d > stepsTol || d != d {
			t.Errorf("step %d: loss %.7f, PyTorch %.7f (diff %.3g > %g)", step, loss, f.cfg.Losses[step], d, stepsTol)
		}
		if step > 0 {
			continue
		}
		lossErr = d
		if d > lossTol {
			t.Errorf("loss %.7f, PyTorch %.7f (diff %.3g > %g)", loss, f.cfg.Losses[0], d, lossTol)
		}
		want := testutil.ReadNpy(t, filepath.Join(dir, "logits.npy"))
		t.Logf("logits relative error %.3g", numcmp.RelMaxDiff(tr.Logits().Data, want.F32))
		for _, p := range f.m.Parameters() {
			want := testutil.ReadNpy(t, filepath.Join(dir, "grad."+p.Name+".npy"))
			got := tr.Grads().Get(p.T)
			if got == nil || !tensor.SameShape(got.Shape, want.Shape) {
				t.Fatalf("%s: no gradient of shape %v", p.Name, want.Shape)
			}
			if zeroGrad[f.cfg.Arch][p.Name] { // 0 but for rounding, in both: check that, not the noise
				if d := maxAbs(got.Data); d > 1e-6 {
					t.Errorf("grad %s: max |value| %.3g, want 0 up to rounding (PyTorch %.3g)", p.Name, d, maxAbs(want.F32))
				}
				continue
			}
			e := numcmp.RelMaxDiff(got.Data, want.F32)
			if e > gradTol {
				t.Errorf("grad %s: relative error %.3g > %g", p.Name, e, gradTol)
			}
			if e > worstGrad {
				worstGrad, worstGradName = e, p.Name
			}
		}
	}
	for _, p := range f.m.State() { // parameters and batch-norm running statistics
		init := f.initial[p.Name]
		delta := make([]float32, len(init))
		for i := range delta {
			delta[i] = p.T.Data[i] - init[i]
		}
		for _, c := range []struct {
			what      string
			got, want float64
		}{{"norm", norm(p.T.Data), f.cfg.FinalNorm[p.Name]}, {"update norm", norm(delta), f.cfg.DeltaNorm[p.Name]}} {
			e := math.Abs(c.got-c.want) / c.want
			tol := normTol
			if zeroGrad[f.cfg.Arch][p.Name] && c.what == "update norm" {
				tol = 1e-2 // weight decay plus gradients of rounding noise
			} else {
				worstNorm = max(worstNorm, e)
			}
			if e > tol || e != e {
				t.Errorf("%s after %d steps: %s %.7g, PyTorch %.7g (relative error %.3g)", p.Name, f.cfg.Steps, c.what, c.got, c.want, e)
			}
		}
	}
	t.Logf("loss abs error %.3g; max grad relative error %.3g (%s); max step-loss abs error %.3g; max norm relative error %.3g",
		lossErr, worstGrad, worstGradName, worstStep, worstNorm)
}
