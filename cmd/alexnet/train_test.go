package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/alexnet-go/alexnet/internal/testutil/weightcmp"
	"github.com/alexnet-go/alexnet/weights"
)

// writeWNIDFolder writes an ImageFolder with three ImageNet wnids as class
// folders, perClass PNGs each, coloured by class.
func writeWNIDFolder(t *testing.T, dir string, perClass int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	for c, wnid := range []string{"n01440764", "n01443537", "n01484850"} {
		d := filepath.Join(dir, wnid)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for i := range perClass {
			img := image.NewRGBA(image.Rect(0, 0, 70+i, 66))
			for y := range 66 {
				for x := range 70 + i {
					v := uint8(rng.IntN(60))
					img.Set(x, y, color.RGBA{uint8(90*c) + v, uint8(200-90*c/2) - v, uint8(x * 3), 255})
				}
			}
			var buf bytes.Buffer
			png.Encode(&buf, img)
			if err := os.WriteFile(filepath.Join(d, fmt.Sprintf("%d.png", i)), buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestTrainCommand trains a narrow AlexNet for three epochs on a synthetic
// ImageFolder, then repeats the run stopped after 7 steps (no save, as
// kill -9 leaves it) and resumed: steps.csv is the same byte for byte,
// and so are the exported weights. `alexnet eval` on the exported .pth
// scores the validation set as the last epoch of training did.
func TestTrainCommand(t *testing.T) {
	data := t.TempDir()
	writeWNIDFolder(t, data, 5) // 15 images: 4 batches of 4
	args := func(out string, extra ...string) []string {
		return append([]string{"--threads", "2", "train", "--data", data, "--val", data, "--out", out,
			"--epochs", "3", "--batch", "4", "--size", "64", "--resize", "72", "--channels", "8,8,8,8,8",
			"--hidden", "16", "--lr", "0.02", "--schedule", "plateau:0", "--seed", "5", "--save-every", "3"}, extra...)
	}
	full := t.TempDir()
	stdout, stderr, err := run(t, args(full)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, "trained 12 steps") {
		t.Errorf("stdout %q", stdout)
	}
	cut := t.TempDir()
	if _, stderr, err := run(t, args(cut, "--stop-after", "7")...); err == nil {
		t.Fatalf("stopped run succeeded\n%s", stderr)
	}
	if _, err := os.Stat(filepath.Join(cut, "model.pth")); err == nil {
		t.Fatal("the stopped run exported weights")
	}
	if _, stderr, err := run(t, args(cut, "--resume")...); err != nil {
		t.Fatalf("resume: %v\n%s", err, stderr)
	}
	a, _ := os.ReadFile(filepath.Join(full, "steps.csv"))
	b, _ := os.ReadFile(filepath.Join(cut, "steps.csv"))
	if !bytes.Equal(a, b) || len(a) == 0 {
		t.Errorf("steps.csv differs after kill and resume:\n%s\nvs\n%s", a, b)
	}
	// The resumed run's weights are the uninterrupted run's.
	wa := weightcmp.Same(t, filepath.Join(full, "model.pth"), filepath.Join(cut, "model.safetensors"))
	if len(wa.Names) != 16 || wa.Names[0] != "features.0.weight" || wa.Names[15] != "classifier.6.bias" {
		t.Errorf("state dict names %v", wa.Names)
	}

	// The last epoch's val top-1, from epochs.csv.
	rows := readCSV(t, filepath.Join(full, "epochs.csv"))
	if len(rows) != 4 {
		t.Fatalf("epochs.csv: %d rows, want a header and 3 epochs", len(rows))
	}
	valTop1, _ := strconv.ParseFloat(rows[3][6], 64)

	out, stderr, err := runEvalCmd(t, "--data", data, "--weights", filepath.Join(full, "model.pth"),
		"--resize", "72", "--crop", "64", "--json")
	if err != nil {
		t.Fatalf("eval: %v\n%s", err, stderr)
	}
	var s struct {
		Top1   float64 `json:"top1"`
		Scored int     `json:"scored"`
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	if s.Scored != 15 || s.Top1 != valTop1 {
		t.Errorf("eval: top-1 %v over %d images, train's validation said %v over 15", s.Top1, s.Scored, valTop1)
	}
	// A resume with another batch size would visit other samples.
	if _, _, err := run(t, args(full, "--resume", "--batch", "8")...); err == nil || !strings.Contains(err.Error(), "batch 4") {
		t.Errorf("resume with another batch size: %v", err)
	}
	for _, name := range []string{"curves.png", "classes.txt", "checkpoint.safetensors"} {
		if _, err := os.Stat(filepath.Join(full, name)); err != nil {
			t.Error(err)
		}
	}
}

// Bad flags are errors before any work.
func TestTrainFlags(t *testing.T) {
	data := t.TempDir()
	writeWNIDFolder(t, data, 1)
	for _, tc := range []struct{ flag, val, want string }{
		{"--schedule", "linear", "--schedule"},
		{"--warmup", "-1", "--warmup"},
		{"--aug", "mixup", "--aug"},
		{"--freeze", "classifier", "--freeze"},
		{"--init", "xavier", "--init"},
	} {
		_, _, err := run(t, "train", "--data", data, "--out", t.TempDir(), tc.flag, tc.val)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %s: %v", tc.flag, tc.val, err)
		}
	}
}

// TestTrainPreset: --preset tiny-imagenet trains the tiny-bn architecture
// with a per-step warm-up to lr 0.05 and cosine decay, flags on the
// command line win over the preset's, and a run stopped and resumed
// repeats the uninterrupted one's losses and rates and ends with the same
// weights and running statistics; classify names the classes from the
// classes.txt beside the weights.
func TestTrainPreset(t *testing.T) {
	data := t.TempDir()
	writeWNIDFolder(t, data, 4) // 12 images: 3 batches of 4
	args := func(out string, extra ...string) []string {
		return append([]string{"--threads", "2", "train", "--preset", "tiny-imagenet", "--data", data, "--out", out,
			"--epochs", "2", "--batch", "4", "--channels", "8,8,8,8,8", "--hidden", "16", "--seed", "2"}, extra...)
	}
	full := t.TempDir()
	if _, stderr, err := run(t, args(full)...); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	sd, err := weights.Load(filepath.Join(full, "model.pth"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := sd.Tensors["features.0.weight"].Shape; !slices.Equal(got, []int{8, 3, 5, 5}) {
		t.Errorf("features.0.weight %v, want the tiny stem (8, 3, 5, 5)", got)
	}
	if got := sd.Tensors["classifier.1.weight"].Shape; !slices.Equal(got, []int{16, 8 * 9}) {
		t.Errorf("classifier.1.weight %v, want (16, 72)", got)
	}
	if rv := sd.Tensors["features.1.running_var"]; rv == nil || slices.Equal(rv.Data, []float32{1, 1, 1, 1, 1, 1, 1, 1}) {
		t.Errorf("features.1.running_var %v: want batch-norm statistics learnt from the data", rv)
	}
	rows := readCSV(t, filepath.Join(full, "steps.csv"))
	if len(rows) != 1+6 {
		t.Fatalf("steps.csv has %d rows, want a header and 6 steps", len(rows))
	}
	for i, r := range rows[1:] {
		lr, _ := strconv.ParseFloat(r[3], 64)
		want := 0.05 * (0.01 + 0.99*float64(i)/3) // one epoch of warm-up from lr/100
		if i >= 3 {
			want = 0.05 * (1 + math.Cos(math.Pi*float64(i-3)/3)) / 2
		}
		if math.Abs(lr-want) > 1e-12 {
			t.Errorf("step %d: lr %v, want %v (3 steps of warm-up to 0.05, then cosine over 3)", i, lr, want)
		}
	}
	cut := t.TempDir()
	if _, _, err := run(t, args(cut, "--stop-after", "4", "--save-every", "2")...); err == nil {
		t.Fatal("stopped run succeeded")
	}
	if _, stderr, err := run(t, args(cut, "--resume")...); err != nil {
		t.Fatalf("resume: %v\n%s", err, stderr)
	}
	for _, name := range []string{"steps.csv", "model.safetensors"} { // with the running statistics
		a, _ := os.ReadFile(filepath.Join(full, name))
		b, _ := os.ReadFile(filepath.Join(cut, name))
		if !bytes.Equal(a, b) || len(a) == 0 {
			t.Errorf("%s differs after stop and resume", name)
		}
	}
	if _, _, err := run(t, "classify", "--arch", "tiny", "--weights", filepath.Join(full, "model.pth"),
		filepath.Join(data, "n01443537", "0.png")); err == nil || !strings.Contains(err.Error(), `architecture "tiny-bn"`) {
		t.Errorf("classify with the wrong --arch: %v", err)
	}
	out, stderr, err := run(t, "classify", "--arch", "tiny-bn", "--weights", filepath.Join(full, "model.pth"),
		"--top", "3", "--json", filepath.Join(data, "n01443537", "0.png"))
	if err != nil {
		t.Fatalf("classify: %v\n%s", err, stderr)
	}
	for _, name := range []string{"tench", "goldfish", "great white shark"} {
		if !strings.Contains(out, `"label":"`+name+`"`) {
			t.Errorf("classify output lacks the class %q: %s", name, out)
		}
	}
	if _, _, err := run(t, "train", "--preset", "imagenet-9000", "--data", data, "--out", t.TempDir()); err == nil ||
		!strings.Contains(err.Error(), "tiny-imagenet") {
		t.Errorf("unknown preset: %v", err)
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}
