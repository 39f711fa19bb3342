package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alexnet-go/alexnet/internal/npy"
	"github.com/alexnet-go/alexnet/internal/testutil/weightcmp"
	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/weights"
)

// classify --json --logits on real files plus a text file named .jpg and a
// 0-byte file: the good images' logits equal PyTorch's within 1e-4 and
// their top-5 is PyTorch's argsort; each bad file gets its own JSON error
// line naming it; the exit status says something failed.
func TestClassifyJSONMatchesPyTorch(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.jpg")
	empty := filepath.Join(dir, "empty.png")
	os.WriteFile(text, []byte("hello"), 0o644)
	os.WriteFile(empty, nil, 0o644)
	good := images(t)
	files := append([]string{text}, good...)
	files = append(files, empty)
	for _, c := range []struct{ arch, weights, logits string }{
		{"torchvision", "tv_narrow.pth", "tv_logits.npy"},
		{"original", "orig_narrow_legacy.pth", "orig_logits.npy"},
	} {
		t.Run(c.arch, func(t *testing.T) {
			args := append([]string{"classify", "--arch", c.arch, "--weights", filepath.Join(fixtures, c.weights),
				"--json", "--logits", "--batch", "4", "--threads", "2"}, files...)
			stdout, stderr, err := run(t, args...)
			if !errors.Is(err, errReported) {
				t.Fatalf("err = %v, want the reported-failure status", err)
			}
			want, err := npy.ReadFile(filepath.Join(fixtures, c.logits))
			if err != nil {
				t.Fatal(err)
			}
			var lines []classifyLine
			s := bufio.NewScanner(strings.NewReader(stdout))
			s.Buffer(nil, 1<<20)
			for s.Scan() {
				var l classifyLine
				if err := json.Unmarshal(s.Bytes(), &l); err != nil {
					t.Fatalf("bad JSON line %q: %v", s.Text(), err)
				}
				lines = append(lines, l)
			}
			if len(lines) != len(files) {
				t.Fatalf("%d lines for %d files", len(lines), len(files))
			}
			for _, i := range []int{0, len(files) - 1} {
				if lines[i].File != files[i] || lines[i].Error == "" || lines[i].Top != nil {
					t.Errorf("bad file line %+v", lines[i])
				}
				if !strings.Contains(stderr, files[i]) {
					t.Errorf("stderr does not name %s:\n%s", files[i], stderr)
				}
			}
			var worst float64
			for g, l := range lines[1 : len(lines)-1] {
				row := want.F32[g*1000 : (g+1)*1000]
				if l.File != good[g] || len(l.Logits) != 1000 || len(l.Top) != 5 {
					t.Fatalf("line %d: file %s, %d logits, %d top", g, l.File, len(l.Logits), len(l.Top))
				}
				for j, v := range l.Logits {
					worst = max(worst, math.Abs(float64(v-row[j])))
				}
				for r, cl := range l.Top {
					if cl.Index != argsortDesc(row)[r] {
						t.Errorf("%s: top-5 %v, PyTorch argsort %v", l.File, l.Top, argsortDesc(row)[:5])
						break
					}
				}
			}
			if worst > 1e-4 {
				t.Errorf("max abs logit difference %g", worst)
			}
			t.Logf("max abs logit difference from PyTorch: %.2g", worst)
		})
	}
}

func argsortDesc(x []float32) []int {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	for i := 1; i < len(idx); i++ { // insertion sort: stable
		for j := i; j > 0 && x[idx[j]] > x[idx[j-1]]; j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
	return idx
}

func TestClassifyText(t *testing.T) {
	img := images(t)[0]
	stdout, _, err := run(t, "classify", "--weights", narrowWeights, "--top", "3", img)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 4 || lines[0] != img || !strings.HasSuffix(lines[1], "%") {
		t.Errorf("output:\n%s", stdout)
	}
}

// preprocess writes torchvision's normalized tensor: the .npy's float32
// bytes hash to what PyTorch's tensor hashes to, for both crop sizes.
func TestPreprocessMatchesTorchvision(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(fixtures, "tensors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		File   string
		Crop   int
		Shape  []int
		SHA256 string
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "x.npy")
	for _, c := range cases {
		arch := map[int]string{224: "torchvision", 227: "original"}[c.Crop]
		if _, _, err := run(t, "preprocess", "--arch", arch, filepath.Join("..", "..", c.File), "-o", out); err != nil {
			t.Fatal(err)
		}
		a, err := npy.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		raw := make([]byte, 4*len(a.F32))
		for i, v := range a.F32 {
			binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
		}
		h := sha256.Sum256(raw)
		if got := hex.EncodeToString(h[:]); got != c.SHA256 || len(a.Shape) != 3 || a.Shape[1] != c.Crop {
			t.Errorf("%s crop %d: shape %v hash %s, torchvision %v %s", c.File, c.Crop, a.Shape, got, c.Shape, c.SHA256)
		}
	}
	if _, _, err := run(t, "preprocess", images(t)[0]); err == nil {
		t.Error("preprocess without -o succeeded")
	}
}

// The totals are PyTorch's (testdata/model/summary.json).
func TestSummaryTotals(t *testing.T) {
	for arch, want := range map[string]string{
		"torchvision": "61,100,840    714,188,480",
		"original":    "60,965,224    724,406,816",
	} {
		stdout, _, err := run(t, "summary", "--arch", arch)
		if err != nil || !strings.Contains(stdout, want) {
			t.Errorf("%s: %v\n%s", arch, err, stdout)
		}
	}
	if _, _, err := run(t, "summary", "--arch", "vgg"); err == nil {
		t.Error("unknown arch accepted")
	}
}

// weights convert to safetensors and back keeps every tensor; weights info
// lists them.
func TestWeightsConvertAndInfo(t *testing.T) {
	dir := t.TempDir()
	src := narrowWeights
	st := filepath.Join(dir, "m.safetensors")
	back := filepath.Join(dir, "m.pth")
	for _, args := range [][]string{{"weights", "convert", src, st}, {"weights", "convert", st, back}} {
		if _, _, err := run(t, args...); err != nil {
			t.Fatal(err)
		}
	}
	weightcmp.Same(t, src, back)
	stdout, _, err := run(t, "weights", "info", st)
	if err != nil || !strings.Contains(stdout, "classifier.6.weight") || !strings.Contains(stdout, "[1000, 32]") {
		t.Errorf("info: %v\n%s", err, stdout)
	}
}

// weights download fetches from a local server into --dir, checking the
// SHA-256 prefix; a wrong prefix leaves nothing behind. Without --weights
// and offline, classify's error says where to put the file.
func TestWeightsDownloadAndResolve(t *testing.T) {
	body := []byte("pretend weights")
	sum := sha256.Sum256(body)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
	defer srv.Close()
	dir := t.TempDir()
	url := srv.URL + "/alexnet-test.pth"
	stdout, _, err := run(t, "weights", "download", "--url", url, "--sha256", hex.EncodeToString(sum[:4]), "--dir", dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(strings.TrimSpace(stdout)); !bytes.Equal(got, body) {
		t.Errorf("downloaded %q to %q", got, stdout)
	}
	bad := t.TempDir()
	if _, _, err := run(t, "weights", "download", "--url", url, "--sha256", "7be5be79", "--dir", bad); err == nil {
		t.Error("checksum mismatch accepted")
	}
	if left, _ := os.ReadDir(bad); len(left) != 0 {
		t.Errorf("mismatch left %v", left)
	}

	t.Setenv("ALEXNET_HOME", t.TempDir())
	t.Setenv("TORCH_HOME", t.TempDir())
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("ALEXNET_WEIGHTS", "")
	_, _, err = run(t, "weights", "path")
	if err == nil || !strings.Contains(err.Error(), "alexnet-owt-7be5be79.pth") || !strings.Contains(err.Error(), os.Getenv("ALEXNET_HOME")) {
		t.Errorf("offline error does not say where to put the file: %v", err)
	}
	t.Setenv("ALEXNET_WEIGHTS", narrowWeights)
	if _, _, err := run(t, "classify", images(t)[0]); err != nil {
		t.Errorf("classify with $ALEXNET_WEIGHTS: %v", err)
	}
	if _, _, err := run(t, "classify", "--arch", "original", "--weights", "", images(t)[0]); err == nil {
		t.Error("original arch ran with torchvision weights from $ALEXNET_WEIGHTS")
	}
}

// TestKernelEnv checks ALEXNET_SGEMM and ALEXNET_CONV: bad values are
// errors naming the variable, good ones select the kernels.
func TestKernelEnv(t *testing.T) {
	defer kernels.UseSgemm(kernels.ActiveSgemm())
	defer kernels.SetDefaultConv(kernels.AutoConv)
	for _, c := range []struct{ env, val, want string }{
		{"ALEXNET_SGEMM", "sse9", "ALEXNET_SGEMM"},
		{"ALEXNET_CONV", "fft", "ALEXNET_CONV"},
	} {
		t.Setenv(c.env, c.val)
		if _, _, err := run(t, "summary"); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s=%s: err = %v, want one naming %s", c.env, c.val, err, c.want)
		}
		t.Setenv(c.env, "")
	}
	t.Setenv("ALEXNET_SGEMM", "blocked")
	t.Setenv("ALEXNET_CONV", "direct")
	if _, _, err := run(t, "summary"); err != nil {
		t.Fatal(err)
	}
	g := kernels.ConvGeom{C: 1, H: 5, W: 5, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1}
	if kernels.ActiveSgemm() != "blocked" || kernels.AutoConv.Winograd(g) {
		t.Errorf("after ALEXNET_SGEMM=blocked ALEXNET_CONV=direct: sgemm %s, winograd %v", kernels.ActiveSgemm(), kernels.AutoConv.Winograd(g))
	}
}

// classify --weights model.onnx: the architecture and widths come from the
// file's shapes (the 10-class narrow export of testdata/onnx/), and the
// logits equal those of the same parameters saved as a .pth.
func TestClassifyONNX(t *testing.T) {
	onnx := filepath.Join("../../testdata/onnx", "tv_narrow_op13_dyn.onnx")
	sd, err := weights.Load(onnx, nil)
	if err != nil {
		t.Fatal(err)
	}
	pth := filepath.Join(t.TempDir(), "same.pth")
	if err := weights.Save(pth, sd); err != nil {
		t.Fatal(err)
	}
	img := images(t)[:2]
	logits := func(w string) string {
		stdout, _, err := run(t, append([]string{"classify", "--weights", w, "--json", "--logits", "--threads", "2"}, img...)...)
		if err != nil {
			t.Fatalf("classify --weights %s: %v", w, err)
		}
		return stdout
	}
	got, want := logits(onnx), logits(pth)
	if got != want {
		t.Errorf("from .onnx:\n%s\nfrom .pth:\n%s", got, want)
	}
	if !strings.Contains(got, `"logits":[`) || strings.Count(got, "\n") != 2 {
		t.Errorf("output:\n%s", got)
	}
}
