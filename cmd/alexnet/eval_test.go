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
	want, err := npy.ReadFile(filepath.Join(fixtures, "tv_logits.npy"))
	if err != nil {
		t.Fatal(err)
	}
	good := images(t)
	dir := t.TempDir()
	logitsOf := map[string][]float32{}
	put := func(class, name string, data []byte) string {
		p := filepath.Join(dir, class, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	classOf := []string{"n01443537", "n01443537", "n01443537", "n01440764", "n01440764", "cats", "cats"}
	n := 0
	for i, f := range good {
		if filepath.Ext(f) == ".gif" {
			continue // not in torchvision's IMG_EXTENSIONS, so not in an ImageFolder
		}
		n++
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p := put(classOf[i], "img"+strconv.Itoa(i)+filepath.Ext(f), b)
		logitsOf[p] = want.F32[i*1000 : (i+1)*1000]
	}
	first, _ := os.ReadFile(good[0])
	bad := []string{
		put("n01443537", "a_truncated.jpg", first[:len(first)/2]),
		put("n01443537", "b_notes.jpg", []byte("not an image")),
		put("n01443537", "c_empty.jpg", nil),
	}
	csvPath := filepath.Join(t.TempDir(), "pred.csv")
	report := filepath.Join(t.TempDir(), "report")
	w := filepath.Join(fixtures, "tv_narrow.pth")
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
	rows := readCSV(t, csvPath)
	if len(rows) != 1+n {
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

	_, _, err = runEvalCmd(t, "--data", dir, "--weights", w, "--strict", "--threads", "2")
	if err == nil || !strings.Contains(err.Error(), bad[0]) {
		t.Errorf("--strict: err = %v, want one naming %s", err, bad[0])
	}
	out, _, err := runEvalCmd(t, "--data", dir, "--weights", w, "--tta", "tencrop", "--restrict", "--classes", "goldfish", "--threads", "2")
	if !errors.Is(err, errReported) || !strings.Contains(out, "top-1") || !strings.Contains(out, "--restrict") || !strings.Contains(out, "tencrop") {
		t.Errorf("text run: err %v, output:\n%s", err, out)
	}
	t.Logf("text output:\n%s", out)
	if _, _, err := runEvalCmd(t, "--data", dir, "--weights", w, "--tta", "five"); err == nil {
		t.Error("--tta five accepted")
	}
}
