package train

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/alexnet-go/alexnet/dataset"
	"github.com/alexnet-go/alexnet/internal/testutil/weightcmp"
	"github.com/alexnet-go/alexnet/model"
)

// writeFolder writes an ImageFolder of classes×perClass PNGs, w×h, whose
// colour depends on the class, with noise.
func writeFolder(t testing.TB, dir string, classes, perClass, w, h int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 7))
	for c := range classes {
		d := filepath.Join(dir, fmt.Sprintf("class%02d", c))
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for i := range perClass {
			img := image.NewRGBA(image.Rect(0, 0, w, h))
			for y := range h {
				for x := range w {
					v := uint8(rng.IntN(64))
					img.Set(x, y, color.RGBA{uint8(80*c) + v, uint8(255-80*c) - v, uint8((x * 4) ^ (y * c)), 255})
				}
			}
			var buf bytes.Buffer
			if err := png.Encode(&buf, img); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(d, fmt.Sprintf("img%d.png", i)), buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func tinyConfig(classes int) model.Config {
	return model.Config{Arch: model.ArchTorchvision, Channels: [5]int{8, 8, 8, 8, 8}, Hidden: 16,
		NumClasses: classes, InputSize: 64, Threads: 1}
}

// openSamples opens the data set at data as training samples.
func openSamples(t testing.TB, data string) *Samples {
	t.Helper()
	ctx := context.Background()
	ds, err := dataset.Open(ctx, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSamples(ctx, ds)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// runConfig builds a Config on the folder at data, the model initialised
// from seed.
func runConfig(t testing.TB, data, out string, seed uint64) *Config {
	t.Helper()
	s := openSamples(t, data)
	m, err := model.New(tinyConfig(len(s.Classes)))
	if err != nil {
		t.Fatal(err)
	}
	InitTorchvision(m, rand.New(rand.NewPCG(seed, 1)))
	aug := PaperAugment(72, 64)
	return &Config{Model: m, Opt: &SGD{LR: 0.01, Momentum: 0.9, WeightDecay: 5e-4}, Train: s, Val: s,
		Aug: aug, Epochs: 3, Batch: 4, Workers: 3, Seed: seed, Dir: out,
		Schedule: Schedule{StepSize: 2, Gamma: 0.1}}
}

// TestResumeIsExact stops a run after a few steps past its last
// checkpoint, without saving (what kill -9 leaves), resumes it, and
// compares the step log and the final weights with an uninterrupted run's.
func TestResumeIsExact(t *testing.T) {
	data := t.TempDir()
	writeFolder(t, data, 3, 6, 72, 80) // 18 images: 5 batches of 4 per epoch
	ctx := context.Background()

	full := t.TempDir()
	fc := runConfig(t, data, full, 42)
	var plots []Curves
	fc.Plot = func(c *Curves) error { plots = append(plots, *c); return nil }
	if _, err := Run(ctx, fc); err != nil {
		t.Fatal(err)
	}
	// Plot sees the curves after each of the 3 epochs of 5 steps.
	if len(plots) != 3 {
		t.Fatalf("Plot called %d times, want 3", len(plots))
	}
	if c := plots[2]; len(c.StepLoss) != 15 || len(c.StepTop1) != 15 || len(c.EpochLoss) != 3 ||
		len(c.EpochTop1) != 3 || len(c.ValTop1) != 3 || len(c.ValTop5) != 3 || c.EpochLoss[2].X != 15 {
		t.Errorf("last curves: %d/%d step points, %d/%d epoch, %d/%d val, last epoch at step %v",
			len(c.StepLoss), len(c.StepTop1), len(c.EpochLoss), len(c.EpochTop1), len(c.ValTop1), len(c.ValTop5), c.EpochLoss[len(c.EpochLoss)-1].X)
	}

	cut := t.TempDir()
	c := runConfig(t, data, cut, 42)
	c.SaveEvery, c.StopAfter = 3, 8 // checkpoints at steps 3, 5 (epoch end), 6; killed after step 8
	if _, err := Run(ctx, c); !errors.Is(err, ErrStopped) {
		t.Fatalf("first part: %v, want ErrStopped", err)
	}
	c = runConfig(t, data, cut, 42) // a fresh process: new model, new optimizer
	c.Resume = true
	c.SaveEvery = 3
	if _, err := Run(ctx, c); err != nil {
		t.Fatal(err)
	}

	for _, f := range []string{"steps.csv"} {
		a, _ := os.ReadFile(filepath.Join(full, f))
		b, _ := os.ReadFile(filepath.Join(cut, f))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs after resume:\nuninterrupted:\n%s\nresumed:\n%s", f, a, b)
		}
		if n := bytes.Count(a, []byte("\n")); n != 16 {
			t.Errorf("%s has %d lines, want 16 (header and 15 steps)", f, n)
		}
	}
	// The resumed run's weights are the uninterrupted run's.
	weightcmp.Same(t, filepath.Join(full, "model.safetensors"), filepath.Join(cut, "model.pth"))
	for _, f := range []string{"epochs.csv", "classes.txt", CheckpointFile} {
		if _, err := os.Stat(filepath.Join(cut, f)); err != nil {
			t.Error(err)
		}
	}
}

// TestLoadIsDeterministic checks that the batches do not depend on the
// worker count.
func TestLoadIsDeterministic(t *testing.T) {
	data := t.TempDir()
	writeFolder(t, data, 2, 5, 70, 66)
	ctx := context.Background()
	s := openSamples(t, data)
	aug := &Augment{Size: 64, RandomResized: true, Flip: true, PCAStd: 0.1, Mean: [3]float32{0.5, 0.5, 0.5}, Std: [3]float32{0.2, 0.2, 0.2}}
	collect := func(workers int) [][]float32 {
		var out [][]float32
		for b := range Load(ctx, s, EpochOrder(s.Len(), 9, 1, true), 3, 0, 9, 1, aug, nil, workers) {
			if b.Err != nil {
				t.Fatal(b.Err)
			}
			out = append(out, b.X.Data)
		}
		return out
	}
	a, b := collect(1), collect(4)
	if len(a) != 4 || len(b) != 4 {
		t.Fatalf("%d and %d batches, want 4", len(a), len(b))
	}
	for i := range a {
		if !slices.Equal(a[i], b[i]) {
			t.Errorf("batch %d differs between 1 and 4 workers", i)
		}
	}
}

// A parquet data set (read into memory) gives the batches its ImageFolder
// gives.
func TestSamplesFromParquet(t *testing.T) {
	data := t.TempDir()
	writeFolder(t, data, 2, 3, 66, 64)
	ctx := context.Background()
	a := openSamples(t, data)
	pq := filepath.Join(t.TempDir(), "train-0.parquet")
	f, err := os.Create(pq)
	if err != nil {
		t.Fatal(err)
	}
	if err := dataset.WriteParquet(f, a.Set, a.Set.Classes()); err != nil {
		t.Fatal(err)
	}
	f.Close()
	b := openSamples(t, pq)
	if _, ok := b.Set.(*dataset.Memory); !ok {
		t.Fatalf("parquet samples are %T, want the in-memory set", b.Set)
	}
	aug := PaperAugment(72, 64)
	order := EpochOrder(a.Len(), 1, 0, true)
	ca := Load(ctx, a, order, 4, 0, 1, 0, aug, nil, 2)
	cb := Load(ctx, b, order, 4, 0, 1, 0, aug, nil, 2)
	for x := range ca {
		y := <-cb
		if x.Err != nil || y.Err != nil {
			t.Fatal(x.Err, y.Err)
		}
		if !slices.Equal(x.X.Data, y.X.Data) || fmt.Sprint(x.Labels) != fmt.Sprint(y.Labels) {
			t.Fatalf("batch %d differs", x.Step)
		}
	}
}

// OnProgress sees each phase begin, every batch and the end, in order,
// with the epoch, the batch counts and the running training figures.
func TestRunProgress(t *testing.T) {
	data := t.TempDir()
	writeFolder(t, data, 2, 3, 66, 64) // 6 images: 2 batches of 4
	c := runConfig(t, data, t.TempDir(), 7)
	c.Epochs = 2
	var got []string
	c.OnProgress = func(p Progress) {
		got = append(got, fmt.Sprintf("%d %s %d/%d %d/%d", p.Event, p.Phase, p.Epoch, p.Epochs, p.Done, p.Total))
		if p.Event == BatchDone && p.Phase == PhaseTrain && (p.Loss <= 0 || p.Top1 < 0 || p.Top1 > 1 || p.ImagesPerS <= 0) {
			t.Errorf("training progress %+v", p)
		}
	}
	if _, err := Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	var want []string
	for e := 1; e <= 2; e++ {
		want = append(want, fmt.Sprintf("0 train %d/2 0/2", e), fmt.Sprintf("1 train %d/2 1/2", e), fmt.Sprintf("1 train %d/2 2/2", e),
			fmt.Sprintf("2 train %d/2 2/2", e), fmt.Sprintf("0 validate %d/2 0/2", e), fmt.Sprintf("1 validate %d/2 1/2", e),
			fmt.Sprintf("1 validate %d/2 2/2", e), fmt.Sprintf("2 validate %d/2 2/2", e))
	}
	if !slices.Equal(got, want) {
		t.Errorf("progress\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
