package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/alexnet-go/alexnet/eval"
	"github.com/alexnet-go/alexnet/internal/npy"
)

// runEvalCmd runs `alexnet eval args...` in-process.
func runEvalCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	return run(t, append([]string{"eval"}, args...)...)
}

// An ImageFolder with goldfish and tench images, a folder that is not an
// ImageNet class (GIFs left out, as ImageFolder leaves them), and a truncated JPEG, a text file named .jpg and a
// 0-byte file among the goldfish: eval --json finishes, lists the three by
// name, exits with the reported-failure status, and each good image's CSV
// row holds PyTorch's top-5 (argsort of its logits); --report writes
// report.html and summary.json; --strict stops at the first bad file.
func TestEvalCommand(t *testing.T) {
	dir, logitsOf, bad := writeEvalFolder(t)
	n := len(logitsOf)
	csvPath := filepath.Join(t.TempDir(), "pred.csv")
	report := filepath.Join(t.TempDir(), "report")
	w := narrowWeights
	stdout, _, err := runEvalCmd(t, "--data", dir, "--weights", w, "--json", "--batch", "3", "--threads", "2",
		"--predictions", csvPath, "--report", report)
	if !errors.Is(err, errReported) {
		t.Fatalf("err = %v, want the reported-failure status", err)
	}
	var s eval.Summary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	var names []string
	for _, e := range s.Errors {
		names = append(names, filepath.Base(e.Name))
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"a_truncated.jpg", "b_notes.jpg", "c_empty.jpg"}) {
		t.Errorf("errors %+v", s.Errors)
	}
	if s.Images != n+3 || s.Classified != n || s.Scored != 5 || s.Unmapped != 1 ||
		!slices.Equal(s.UnmappedClasses, []string{"cats"}) || s.Weights != w || s.Arch != "torchvision" || s.TTA != "center" {
		t.Errorf("summary %+v", s)
	}
	checkPredictionsCSV(t, csvPath, logitsOf)
	checkEvalReport(t, report, bad)

	_, _, err = runEvalCmd(t, "--data", dir, "--weights", w, "--strict", "--threads", "2")
	if err == nil || !strings.Contains(err.Error(), bad[0]) {
		t.Errorf("--strict: err = %v, want one naming %s", err, bad[0])
	}
	out, _, err := runEvalCmd(t, "--data", dir, "--weights", w, "--tta", "tencrop", "--restrict", "--classes", "goldfish", "--threads", "2")
	if !errors.Is(err, errReported) || !strings.Contains(out, "top-1") || !strings.Contains(out, "mapped classes only") || !strings.Contains(out, "tencrop") {
		t.Errorf("text run: err %v, output:\n%s", err, out)
	}
	t.Logf("text output:\n%s", out)
	if _, _, err := runEvalCmd(t, "--data", dir, "--weights", w, "--tta", "five"); err == nil {
		t.Error("--tta five accepted")
	}
}

// writeEvalFolder writes the ImageFolder of TestEvalCommand. It returns
// its root, PyTorch's logits of each good image by path, and the paths
// of the three bad files.
func writeEvalFolder(t *testing.T) (string, map[string][]float32, []string) {
	t.Helper()
	want, err := npy.ReadFile(filepath.Join(fixtures, "tv_logits.npy"))
	if err != nil {
		t.Fatal(err)
	}
	good := images(t)
	dir := t.TempDir()
	logitsOf := map[string][]float32{}
	classOf := []string{"n01443537", "n01443537", "n01443537", "n01440764", "n01440764", "cats", "cats"}
	for i, f := range good {
		if filepath.Ext(f) == ".gif" {
			continue // not in torchvision's IMG_EXTENSIONS, so not in an ImageFolder
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p := writeFile(t, dir, classOf[i], "img"+strconv.Itoa(i)+filepath.Ext(f), b)
		logitsOf[p] = want.F32[i*1000 : (i+1)*1000]
	}
	first, _ := os.ReadFile(good[0])
	bad := []string{
		writeFile(t, dir, "n01443537", "a_truncated.jpg", first[:len(first)/2]),
		writeFile(t, dir, "n01443537", "b_notes.jpg", []byte("not an image")),
		writeFile(t, dir, "n01443537", "c_empty.jpg", nil),
	}
	return dir, logitsOf, bad
}

// checkPredictionsCSV checks that the --predictions CSV at path has one
// row per good image, each with PyTorch's top-5 from logitsOf.
func checkPredictionsCSV(t *testing.T, path string, logitsOf map[string][]float32) {
	t.Helper()
	rows := readCSV(t, path)
	if len(rows) != 1+len(logitsOf) {
		t.Fatalf("%d CSV rows", len(rows))
	}
	for _, r := range rows[1:] {
		l, ok := logitsOf[r[0]]
		if !ok {
			t.Fatalf("CSV row for unknown file %s", r[0])
		}
		var got []int
		for _, v := range r[3:] {
			i, _ := strconv.Atoi(v)
			got = append(got, i)
		}
		if wantTop := eval.Rank(l, 5, nil); !slices.Equal(got, wantTop) {
			t.Errorf("%s: top-5 %v, PyTorch %v", r[0], got, wantTop)
		}
	}
}

// checkEvalReport checks that the --report folder holds summary.json and
// a report.html that lists the bad files.
func checkEvalReport(t *testing.T, report string, bad []string) {
	t.Helper()
	page, err := os.ReadFile(filepath.Join(report, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bad {
		if !strings.Contains(string(page), b) {
			t.Errorf("report.html does not list %s", b)
		}
	}
	if _, err := os.Stat(filepath.Join(report, "summary.json")); err != nil {
		t.Error(err)
	}
}
