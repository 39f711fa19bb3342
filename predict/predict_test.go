package predict

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/alexnet-go/alexnet/imagenet"
	"github.com/alexnet-go/alexnet/imageproc"
	"github.com/alexnet-go/alexnet/internal/npy"
	"github.com/alexnet-go/alexnet/internal/testutil"
	"github.com/alexnet-go/alexnet/weights"
)

// The fixtures come from testdata/gen/classify.py: narrow AlexNets with
// seeded random weights saved by torch.save, and the logits torchvision's
// pipeline gives for the images listed in images.txt.
const fixtures = "../testdata/classify"

func images(t *testing.T) []string { return testutil.ClassifyImages(t) }

// Run over real files, in batches of 3 (so the last batch is partial), with
// a corrupt file and a missing one among them: every good image's logits
// equal PyTorch's within 1e-4, results come back in input order, and the
// bad files are reported without disturbing the others.
func TestRunMatchesPyTorch(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "notes.jpg")
	if err := os.WriteFile(bad, []byte("not an image"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "missing.png")
	for _, c := range []struct{ arch, weights, logits string }{
		{"torchvision", "tv_narrow.pth", "tv_logits.npy"},
		{"original", "orig_narrow_legacy.pth", "orig_logits.npy"},
	} {
		t.Run(c.arch, func(t *testing.T) {
			p, err := Load(c.arch, filepath.Join(fixtures, c.weights), 2)
			if err != nil {
				t.Fatal(err)
			}
			want, err := npy.ReadFile(filepath.Join(fixtures, c.logits))
			if err != nil {
				t.Fatal(err)
			}
			good := images(t)
			files := append([]string{good[0], bad}, good[1:]...)
			files = append(files, missing)
			var got []Result
			var passes, rows int
			onForward := func(n int, d time.Duration) { passes, rows = passes+1, rows+n }
			err = p.Run(context.Background(), files, RunOptions{Batch: 3, Workers: 2, OnForward: onForward}, func(r Result) error {
				got = append(got, r)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(files) {
				t.Fatalf("%d results for %d files", len(got), len(files))
			}
			var worst float64
			g := 0
			for i, r := range got {
				if r.File != files[i] {
					t.Fatalf("result %d is %s, want %s", i, r.File, files[i])
				}
				if r.File == bad || r.File == missing {
					if r.Err == nil {
						t.Errorf("%s: no error", r.File)
					}
					continue
				}
				if r.Err != nil {
					t.Fatalf("%s: %v", r.File, r.Err)
				}
				row := want.F32[g*1000 : (g+1)*1000]
				for j, v := range r.Logits {
					worst = max(worst, math.Abs(float64(v-row[j])))
				}
				g++
			}
			var ue *imageproc.UnknownFormatError
			if !errors.As(got[1].Err, &ue) || fileName(got[1].Err) != bad {
				t.Errorf("bad file error = %v, want *imageproc.UnknownFormatError naming it", got[1].Err)
			}
			if worst > 1e-4 {
				t.Errorf("max abs logit difference %g > 1e-4", worst)
			}
			if rows != g || passes != (g+2)/3 {
				t.Errorf("OnForward saw %d passes of %d rows in all, want %d of %d", passes, rows, (g+2)/3, g)
			}
			t.Logf("%s: %d images, max abs logit difference from PyTorch %.2g", c.arch, g, worst)
		})
	}
}

// A model error stops Run and is returned; so is an emit error.
func TestRunStops(t *testing.T) {
	p, err := Load("torchvision", filepath.Join(fixtures, "tv_narrow.pth"), 1)
	if err != nil {
		t.Fatal(err)
	}
	files := images(t)
	stop := errors.New("stop")
	n := 0
	err = p.Run(context.Background(), files, RunOptions{Batch: 2}, func(Result) error {
		n++
		return stop
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("err %v after %d results, want stop after 1", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Run(ctx, files, RunOptions{}, func(Result) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled run: err = %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load("torchvision", filepath.Join(fixtures, "orig_narrow_legacy.pth"), 1); err == nil {
		t.Error("original weights loaded into torchvision arch")
	}
	if _, err := Load("vgg", filepath.Join(fixtures, "tv_narrow.pth"), 1); err == nil {
		t.Error("unknown arch accepted")
	}
	if _, err := Load("torchvision", filepath.Join(fixtures, "nope.pth"), 1); err == nil {
		t.Error("missing file accepted")
	}
}

// TopK orders by logit, ties to the lower index, and its probabilities are
// the softmax over all logits.
func TestTopK(t *testing.T) {
	logits := []float32{0, 3, 1, 3, -2}
	top := TopK(logits, 4)
	wantIdx := []int{1, 3, 2, 0}
	var z float64
	for _, v := range logits {
		z += math.Exp(float64(v))
	}
	for i, c := range top {
		if c.Index != wantIdx[i] {
			t.Fatalf("TopK order %v, want indices %v", top, wantIdx)
		}
		p := math.Exp(float64(logits[c.Index])) / z
		if math.Abs(float64(c.Prob)-p) > 1e-7 {
			t.Errorf("prob of %d = %v, want %v", c.Index, c.Prob, p)
		}
		if c.Label != "class "+[]string{"0", "1", "2", "3"}[c.Index] {
			t.Errorf("label %q", c.Label)
		}
	}
	if len(TopK(logits, 10)) != 5 || len(TopK(logits, -1)) != 0 {
		t.Error("k not clamped")
	}
	l := make([]float32, 1000)
	l[1] = 5
	if c := TopK(l, 1)[0]; c.Index != 1 || c.Label != "goldfish" {
		t.Errorf("1000-class label: %+v", c)
	}
}

// topIndices gives the first k of a stable descending argsort, for every k
// and on values with many ties.
func TestTopIndices(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for trial := range 200 {
		n := 1 + r.IntN(300)
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(r.IntN(1 + trial%20)) // few distinct values: ties
		}
		want := make([]int, n)
		for i := range want {
			want[i] = i
		}
		sort.SliceStable(want, func(a, b int) bool { return v[want[a]] > v[want[b]] })
		for _, k := range []int{0, 1, 2, 5, 31, 32, 33, n, n + 3} {
			if got := topIndices(v, k); !slices.Equal(got, want[:min(k, n)]) {
				t.Fatalf("n=%d k=%d: %v, want %v", n, k, got, want[:min(k, n)])
			}
		}
	}
}

// TestLoadClasses: a classes.txt beside the weights names the classes
// (wnids by their ImageNet names, other lines as they are); one with the
// wrong count is an error naming it.
func TestLoadClasses(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(fixtures, "tv_narrow.pth"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	w := filepath.Join(dir, "model.pth")
	if err := os.WriteFile(w, data, 0o644); err != nil {
		t.Fatal(err)
	}
	lines := make([]string, imagenet.NumClasses)
	for i := range lines {
		lines[i] = imagenet.WNID(imagenet.NumClasses - 1 - i) // reversed
	}
	lines[5] = "my own class"
	cf := filepath.Join(dir, weights.ClassesFile)
	if err := os.WriteFile(cf, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Load("torchvision", w, 1)
	if err != nil {
		t.Fatal(err)
	}
	logits := make([]float32, imagenet.NumClasses)
	logits[0], logits[5] = 2, 1
	top := p.TopK(logits, 2)
	if top[0].Label != imagenet.Name(imagenet.NumClasses-1) || top[1].Label != "my own class" {
		t.Errorf("labels %q, %q; want %q, my own class", top[0].Label, top[1].Label, imagenet.Name(imagenet.NumClasses-1))
	}
	if err := os.WriteFile(cf, []byte("n01440764\nn01443537\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load("torchvision", w, 1); err == nil || !strings.Contains(err.Error(), cf) {
		t.Errorf("2 classes for 1000 logits: %v", err)
	}
}
