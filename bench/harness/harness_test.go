package harness

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/alexnet-go/alexnet/model"
)

func TestGFLOPS(t *testing.T) {
	// 1e9 multiply-adds per image, 4 images in 2 s: 4 GFLOP/s.
	if g := GFLOPS(1e9, 4, 2); g != 4 {
		t.Errorf("GFLOPS = %g, want 4", g)
	}
	if g := GFLOPS(1e9, 4, 0); g != 0 {
		t.Errorf("GFLOPS with no time = %g, want 0", g)
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		x    []float64
		want float64
	}{
		{nil, 0},
		{[]float64{7}, 7},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		in := slices.Clone(c.x)
		if got := Median(c.x); got != c.want {
			t.Errorf("Median(%v) = %g, want %g", in, got, c.want)
		}
		if !slices.Equal(in, c.x) {
			t.Errorf("Median reordered its input: %v", c.x)
		}
	}
}

func TestParseVmHWM(t *testing.T) {
	status := "Name:\talexnet\nVmPeak:\t  900 kB\nVmHWM:\t  123456 kB\nVmRSS:\t 1000 kB\n"
	if n, ok := ParseVmHWM([]byte(status)); !ok || n != 123456*1024 {
		t.Errorf("ParseVmHWM = %d, %v", n, ok)
	}
	for _, bad := range []string{"", "VmRSS:\t 1 kB\n", "VmHWM:\t x kB\n", "VmHWM:\t 12 MB\n", "VmHWM:\t -3 kB\n"} {
		if _, ok := ParseVmHWM([]byte(bad)); ok {
			t.Errorf("ParseVmHWM(%q) ok", bad)
		}
	}
}

func TestRotate(t *testing.T) {
	s := []string{"a", "b", "c"}
	for k, want := range [][]string{{"a", "b", "c"}, {"b", "c", "a"}, {"c", "a", "b"}, {"a", "b", "c"}} {
		if got := Rotate(s, k); !slices.Equal(got, want) {
			t.Errorf("Rotate(%v, %d) = %v, want %v", s, k, got, want)
		}
	}
	if !slices.Equal(s, []string{"a", "b", "c"}) {
		t.Errorf("Rotate changed its input: %v", s)
	}
}

func TestMarkdownTable(t *testing.T) {
	var sb strings.Builder
	MarkdownTable(&sb, []string{"batch", "mode"}, [][]string{{"1", "jit"}, {"64", "default"}}, "mode")
	want := "| batch | mode    |\n" +
		"| ----: | ------- |\n" +
		"|     1 | jit     |\n" +
		"|    64 | default |\n"
	if sb.String() != want {
		t.Errorf("table\n%s\nwant\n%s", sb.String(), want)
	}
}

// A report of two layers timed over three batches: medians, shares,
// GFLOP/s and the text table.
func TestReport(t *testing.T) {
	r := Report{Arch: "torchvision", Batch: 2, Size: 63, Threads: 1, Iters: 3, Sgemm: "naive", PeakRSS: 5e6}
	r.SetTimes([]float64{0.4, 0.2, 0.3}, 1e8)
	if r.MsPerBatch != 300 || r.MinMs != 200 || math.Abs(r.ImagesPerSec-2/0.3) > 1e-12 || math.Abs(r.GFLOPS-4e8/0.3/1e9) > 1e-12 {
		t.Errorf("times %+v", r)
	}
	rows := []model.LayerRow{
		{Name: "features.0", Type: "Conv2d", OutShape: []int{1, 64, 15, 15}, MACs: 3e7},
		{Name: "features.1", Type: "ReLU", OutShape: []int{1, 64, 15, 15}},
	}
	r.SetLayers(rows, [][]float64{{0.3, 0.1, 0.2}, {0.05, 0.05, 0.05}})
	if len(r.Layers) != 2 || math.Abs(r.Layers[0].Ms-200) > 1e-9 || math.Abs(r.Layers[0].Percent-80) > 1e-9 ||
		math.Abs(r.Layers[1].Percent-20) > 1e-9 || math.Abs(r.Layers[0].GFLOPS-0.6) > 1e-9 || r.Layers[1].GFLOPS != 0 {
		t.Errorf("layers %+v", r.Layers)
	}
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"torchvision, batch 2, 63×63, 1 threads, sgemm naive; median of 3 runs after 0 warm-up",
		"features.0     Conv2d             [2, 64, 15, 15]         200.000    80.0       0.6\n",
		"features.1     ReLU               [2, 64, 15, 15]          50.000    20.0\n",
		"layers                                                    250.000   100.0\n",
		"per batch: median 300.00 ms, min 200.00 ms; 6.67 images/s; 1.3 GFLOP/s; peak RSS 5.0 MB\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %q in\n%s", want, b.String())
		}
	}
}
