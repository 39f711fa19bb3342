package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alexnet-go/alexnet/internal/npy"
	"github.com/alexnet-go/alexnet/internal/testutil"
)

// TestExplain runs explain on the fixture images with a non-image among
// them: each image gets its JSON line (the class explained is its top-1,
// the top-5, the three files: two PNGs of the photo's and the crop's size
// and the map as .npy, 13×13 for Grad-CAM at features.11), the non-image
// the error classify gives it, and the exit status says some failed.
func TestExplain(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.jpg")
	os.WriteFile(text, []byte("hello"), 0o644)
	good := images(t)[:2]
	out := filepath.Join(dir, "out")
	args := append([]string{"explain", "--weights", testutil.NarrowWeights(t), "--out", out, "--json"}, append(good, text)...)
	stdout, stderr, err := run(t, args...)
	if !errors.Is(err, errReported) {
		t.Fatalf("err = %v, want the reported-failure status\n%s", err, stderr)
	}
	_, classifyErr, _ := run(t, "classify", "--weights", testutil.NarrowWeights(t), text)
	var lines []explainLine
	s := bufio.NewScanner(strings.NewReader(stdout))
	for s.Scan() {
		var l explainLine
		if err := json.Unmarshal(s.Bytes(), &l); err != nil {
			t.Fatalf("bad JSON line %q: %v", s.Text(), err)
		}
		lines = append(lines, l)
	}
	if len(lines) != 3 || lines[2].Error == "" || !strings.Contains(classifyErr, lines[2].Error) {
		t.Fatalf("lines %+v; classify's error for the text file: %s", lines, classifyErr)
	}
	for _, l := range lines[:2] {
		if l.Method != "gradcam" || l.Layer != "features.11" || len(l.Top) != 5 || l.Class == nil || l.Class.Index != l.Top[0].Index || len(l.Files) != 3 {
			t.Fatalf("line %+v", l)
		}
		for _, f := range l.Files[:2] {
			fh, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := png.DecodeConfig(fh)
			fh.Close()
			if err != nil || cfg.Width < 1 {
				t.Errorf("%s: %v %+v", f, err, cfg)
			}
		}
		m, err := npy.ReadFile(l.Files[2])
		if err != nil || len(m.Shape) != 2 || m.Shape[0] != 13 || m.Shape[1] != 13 {
			t.Errorf("%s: %v %v", l.Files[2], err, m)
		}
	}
}

// TestExplainBadOptions: an unknown layer lists the valid ones, a class
// out of range and a method that does not exist are errors.
func TestExplainBadOptions(t *testing.T) {
	img := images(t)[0]
	w := testutil.NarrowWeights(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--layer", "features.99"}, "features.0, features.1"},
		{[]string{"--class", "1000"}, "class 1000 outside [0, 1000)"},
		{[]string{"--class", "-1"}, "class -1 outside"},
		{[]string{"--class", "dog"}, `--class "dog"`},
		{[]string{"--method", "lime"}, `--method "lime": want one of gradcam, gradcam++, saliency, occlusion`},
		{[]string{"--method", "occlusion", "--patch", "500"}, "patch 500"},
	} {
		args := append([]string{"explain", "--weights", w, "--out", t.TempDir(), img}, c.args...)
		_, _, err := run(t, args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want it to contain %q", c.args, err, c.want)
		}
	}
}

// TestFilters draws the narrow model's first-layer filters (8 of 11×11
// at scale 4: a 3×3 grid of 44-pixel cells with 2-pixel gaps) and a
// layer's feature maps for an image, and refuses a layer of more than 3
// input channels for filters, naming --activations.
func TestFilters(t *testing.T) {
	dir := t.TempDir()
	w := testutil.NarrowWeights(t)
	out := filepath.Join(dir, "f.png")
	if _, stderr, err := run(t, "filters", "--weights", w, "--out", out); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	checkPNG(t, out, 3*46+2, 3*46+2)
	maps := filepath.Join(dir, "a.png")
	if _, stderr, err := run(t, "filters", "--weights", w, "--activations", images(t)[0], "--layer", "features.0", "--out", maps); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	checkPNG(t, maps, 3*(55*2+2)+2, 3*(55*2+2)+2)
	if _, _, err := run(t, "filters", "--weights", w, "--layer", "features.3", "--out", out); err == nil || !strings.Contains(err.Error(), "--activations") {
		t.Errorf("filters of features.3: %v", err)
	}
}

// checkPNG fails t unless path is a w×h PNG.
func checkPNG(t *testing.T, path string, w, h int) {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	cfg, err := png.DecodeConfig(fh)
	if err != nil || cfg.Width != w || cfg.Height != h {
		t.Errorf("%s: %v, %d×%d, want %d×%d", path, err, cfg.Width, cfg.Height, w, h)
	}
}
