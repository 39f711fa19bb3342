package train

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/alexnet-go/alexnet/model"
)

func narrow(t *testing.T, arch string) *model.AlexNet {
	t.Helper()
	m, err := model.New(model.Config{Arch: arch, Channels: [5]int{8, 16, 24, 16, 16}, Hidden: 64, NumClasses: 10, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestInitTorchvision(t *testing.T) {
	m := narrow(t, model.ArchOriginal)
	InitTorchvision(m, rand.New(rand.NewPCG(1, 2)))
	fanIn := map[string]int{
		"features.0": 3 * 121, "features.4": 8 / 2 * 25, "features.8": 16 * 9, "features.10": 24 / 2 * 9,
		"features.12": 16 / 2 * 9, "classifier.1": 16 * 36, "classifier.4": 64, "classifier.6": 64,
	}
	for _, p := range m.Parameters() {
		layer := p.Name[:len(p.Name)-len(".weight")]
		if p.Name[len(p.Name)-4:] == "bias" {
			layer = p.Name[:len(p.Name)-len(".bias")]
		}
		b := 1 / math.Sqrt(float64(fanIn[layer]))
		var maxAbs, sum2 float64
		for _, v := range p.T.Data {
			maxAbs = max(maxAbs, math.Abs(float64(v)))
			sum2 += float64(v) * float64(v)
		}
		if maxAbs > b {
			t.Errorf("%s: |value| %g beyond the bound %g", p.Name, maxAbs, b)
		}
		// U(-b, b) has variance b²/3.
		if n := len(p.T.Data); n >= 1000 {
			if v := sum2 / float64(n); math.Abs(v/(b*b/3)-1) > 0.1 {
				t.Errorf("%s: variance %g, want %g", p.Name, v, b*b/3)
			}
		}
	}
}

func TestInitPaper(t *testing.T) {
	for _, arch := range []string{model.ArchTorchvision, model.ArchOriginal} {
		m := narrow(t, arch)
		InitPaper(m, rand.New(rand.NewPCG(3, 4)))
		ones := map[string]bool{}
		for _, n := range map[string][]string{
			model.ArchTorchvision: {"features.3.bias", "features.8.bias", "features.10.bias", "classifier.1.bias", "classifier.4.bias"},
			model.ArchOriginal:    {"features.4.bias", "features.10.bias", "features.12.bias", "classifier.1.bias", "classifier.4.bias"},
		}[arch] {
			ones[n] = true
		}
		var all []float32
		for _, p := range m.Parameters() {
			if p.Name[len(p.Name)-4:] == "bias" {
				want := float32(0)
				if ones[p.Name] {
					want = 1
				}
				for _, v := range p.T.Data {
					if v != want {
						t.Fatalf("%s %s: bias %v, want %v", arch, p.Name, v, want)
					}
				}
				continue
			}
			all = append(all, p.T.Data...)
		}
		var s, s2 float64
		for _, v := range all {
			s += float64(v)
			s2 += float64(v) * float64(v)
		}
		mean, std := s/float64(len(all)), math.Sqrt(s2/float64(len(all)))
		if math.Abs(mean) > 3e-4 || math.Abs(std-0.01) > 3e-4 {
			t.Errorf("%s: weights mean %g std %g, want N(0, 0.01²)", arch, mean, std)
		}
	}
}

// TestInitHe: weights N(0, 2/fan_in) but the last layer's, which is 0, as
// are all biases.
func TestInitHe(t *testing.T) {
	m := narrow(t, model.ArchTiny)
	InitHe(m, rand.New(rand.NewPCG(5, 6)))
	fanIn := map[string]int{
		"features.0": 3 * 25, "features.3": 8 * 25, "features.6": 16 * 9, "features.8": 24 * 9,
		"features.10": 16 * 9, "classifier.1": 16 * 9, "classifier.4": 64,
	}
	for _, p := range m.Parameters() {
		i := strings.LastIndexByte(p.Name, '.')
		layer, kind := p.Name[:i], p.Name[i+1:]
		var s, s2 float64
		for _, v := range p.T.Data {
			s += float64(v)
			s2 += float64(v) * float64(v)
		}
		n := float64(len(p.T.Data))
		if kind == "bias" || layer == "classifier.6" {
			if s2 != 0 {
				t.Errorf("%s: not all 0 (sum of squares %g)", p.Name, s2)
			}
			continue
		}
		want := 2 / float64(fanIn[layer])
		// The sample variance of n normal draws has relative sd √(2/n).
		if v := s2/n - (s/n)*(s/n); math.Abs(v/want-1) > 4*math.Sqrt(2/n) {
			t.Errorf("%s: variance %g of %d values, want %g", p.Name, v, int(n), want)
		}
	}
}

// TestTrainerLearns fits one random batch with the paper's settings from
// torchvision's initialisation and checks that the loss falls, with
// dropout noise from a seeded generator (so two runs agree exactly).
func TestTrainerLearns(t *testing.T) {
	run := func() []float64 {
		m := narrow(t, model.ArchTorchvision)
		rng := rand.New(rand.NewPCG(7, 8))
		InitTorchvision(m, rng)
		tr := NewTrainer(m, &SGD{LR: 0.02, Momentum: 0.9, WeightDecay: 5e-4}, rng)
		in, labels := randomBatch(rng, 4, 67, 10)
		var losses []float64
		for range 30 {
			l, err := tr.Step(in, labels)
			if err != nil {
				t.Fatal(err)
			}
			losses = append(losses, l)
		}
		return losses
	}
	a, b := run(), run()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("step %d: seeded runs differ: %v vs %v", i, a[i], b[i])
		}
	}
	first, last := a[0], a[len(a)-1]
	t.Logf("loss %.4f -> %.4f", first, last)
	if !(last < 0.8*first) {
		t.Errorf("loss %.4f -> %.4f after %d steps: not learning", first, last, len(a))
	}
}
