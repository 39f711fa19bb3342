package train

import (
	"context"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/weights"
)

func TestParseSchedule(t *testing.T) {
	for _, c := range []struct {
		spec string
		want Schedule
	}{
		{"none", Schedule{}},
		{"cosine", Schedule{Cosine: true}},
		{"step:30", Schedule{StepSize: 30, Gamma: 0.1}},
	} {
		if got, err := ParseSchedule(c.spec); err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseSchedule(%q) = %+v, %v; want %+v", c.spec, got, err, c.want)
		}
	}
	for spec, patience := range map[string]int{"plateau": NewPlateau().Patience, "plateau:0": 0, "plateau:7": 7} {
		s, err := ParseSchedule(spec)
		if err != nil || s.Plateau == nil || s.Plateau.Patience != patience || s.StepSize != 0 {
			t.Errorf("ParseSchedule(%q) = %+v, %v; want a plateau of patience %d", spec, s, err, patience)
		}
	}
	for spec, want := range map[string]string{
		"step":       "step:N with N ≥ 1",
		"step:0":     "step:N with N ≥ 1",
		"plateau:-1": "plateau:PATIENCE",
		"linear":     "step:N, plateau[:PATIENCE], cosine or none",
	} {
		_, err := ParseSchedule(spec)
		var ce *ChoiceError
		if !errors.As(err, &ce) || ce.What != "schedule" || ce.Value != spec || ce.Want != want {
			t.Errorf("ParseSchedule(%q): %v, want a ChoiceError wanting %q", spec, err, want)
		}
	}
}

// InitByName's functions are the Init functions of those names: the same
// weights from the same generator.
func TestInitByName(t *testing.T) {
	for name, want := range map[string]InitFunc{"torchvision": InitTorchvision, "paper": InitPaper, "kaiming": InitKaiming, "he": InitHe} {
		f, err := InitByName(name)
		if err != nil {
			t.Fatal(err)
		}
		a, b := newTiny(t), newTiny(t)
		f(a, rand.New(rand.NewPCG(1, 2)))
		want(b, rand.New(rand.NewPCG(1, 2)))
		for i, p := range a.Parameters() {
			if !slices.Equal(p.T.Data, b.Parameters()[i].T.Data) {
				t.Errorf("InitByName(%q): %s differs", name, p.Name)
			}
		}
	}
	var ce *ChoiceError
	if _, err := InitByName("xavier"); !errors.As(err, &ce) || ce.What != "init" || !strings.Contains(err.Error(), "kaiming") {
		t.Errorf("InitByName(xavier): %v", err)
	}
}

func TestAugmentByName(t *testing.T) {
	paper := PaperAugment(72, 64)
	paper.PCAStd = 0.2
	rrc := *paper
	rrc.RandomResized = true
	for name, want := range map[string]*Augment{"paper": paper, "rrc": &rrc,
		"none": {Size: 64, Resize: 72, Mean: paper.Mean, Std: paper.Std}} {
		if got, err := AugmentByName(name, 72, 64, 0.2); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("AugmentByName(%q) = %+v, %v; want %+v", name, got, err, want)
		}
	}
	var ce *ChoiceError
	if _, err := AugmentByName("mixup", 72, 64, 0); !errors.As(err, &ce) || ce.What != "aug" || ce.Value != "mixup" {
		t.Errorf("AugmentByName(mixup): %v", err)
	}
}

// InitFromFile reads a file, or what official finds for "torchvision";
// a state dict of other shapes is an *InitFromError naming the file.
func TestInitFromFile(t *testing.T) {
	src := newTiny(t)
	InitHe(src, rand.New(rand.NewPCG(3, 4)))
	path := filepath.Join(t.TempDir(), "w.safetensors")
	if err := weights.Save(path, StateDict(src)); err != nil {
		t.Fatal(err)
	}
	official := func(context.Context) (string, error) { return path, nil }
	for _, from := range []string{path, InitFromTorchvision} {
		dst := newTiny(t)
		got, skipped, err := InitFromFile(context.Background(), dst, from, official)
		if err != nil || got != path || len(skipped) != 0 {
			t.Fatalf("InitFromFile(%s) = %q, %v, %v", from, got, skipped, err)
		}
		if !slices.Equal(dst.Parameters()[0].T.Data, src.Parameters()[0].T.Data) {
			t.Errorf("InitFromFile(%s) did not copy the weights", from)
		}
	}
	cfg := tinyConfig(3)
	cfg.Hidden = 32
	wide, err := model.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = InitFromFile(context.Background(), wide, path, official)
	var ie *InitFromError
	if !errors.As(err, &ie) || ie.Path != path {
		t.Errorf("InitFromFile of other shapes: %v, want an InitFromError", err)
	}
	if _, _, err := InitFromFile(context.Background(), wide, filepath.Join(t.TempDir(), "none.pth"), official); err == nil {
		t.Error("InitFromFile of a missing file succeeded")
	}
}

// newTiny is a narrow model of tinyConfig with 3 classes.
func newTiny(t *testing.T) *model.AlexNet {
	t.Helper()
	m, err := model.New(tinyConfig(3))
	if err != nil {
		t.Fatal(err)
	}
	return m
}
