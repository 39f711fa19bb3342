package eval

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/alexnet-go/alexnet/dataset"
	"github.com/alexnet-go/alexnet/imagenet"
	"github.com/alexnet-go/alexnet/internal/npy"
	"github.com/alexnet-go/alexnet/predict"
)

// fixture builds a data set of the images of testdata/classify/images.txt
// (whose logits PyTorch gives in tv_logits.npy) with three bad files among
// them: a truncated JPEG, a text file named .jpg and a 0-byte file. Its
// classes are the wnids of ImageNet 641 and 149 and a folder name; labels
// cycle through them. It returns the data set, the PyTorch logits of the
// good images in order, and the bad names.
func fixture(t *testing.T) (*dataset.Memory, [][]float32, []string) {
	t.Helper()
	list, err := os.ReadFile("../testdata/classify/images.txt")
	if err != nil {
		t.Fatal(err)
	}
	logits, err := npy.ReadFile("../testdata/classify/tv_logits.npy")
	if err != nil {
		t.Fatal(err)
	}
	var good [][]byte
	var names []string
	for _, f := range strings.Fields(string(list)) {
		b, err := os.ReadFile(filepath.Join("..", f))
		if err != nil {
			t.Fatal(err)
		}
		good = append(good, b)
		names = append(names, f)
	}
	bad := map[string][]byte{
		"bad/truncated.jpg": good[0][:len(good[0])/2],
		"bad/notes.jpg":     []byte("this is not an image\n"),
		"bad/empty.jpg":     {},
	}
	badNames := []string{"bad/truncated.jpg", "bad/notes.jpg", "bad/empty.jpg"}
	ds := &dataset.Memory{Title: "fake", ClassNames: []string{imagenet.WNID(641), imagenet.WNID(149), "my-folder"}}
	var want [][]float32
	add := func(name string, data []byte) {
		ds.Samples = append(ds.Samples, Sample{Index: len(ds.Samples), Name: name, Label: len(ds.Samples) % 3, Data: data})
	}
	for i, b := range good {
		add(names[i], b)
		want = append(want, logits.F32[i*1000:(i+1)*1000])
		if i < len(badNames) {
			add(badNames[i], bad[badNames[i]])
		}
	}
	return ds, want, badNames
}

func loadNarrow(t *testing.T) *predict.Predictor {
	t.Helper()
	p, err := predict.Load("torchvision", "../testdata/classify/tv_narrow.pth", 2)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A truncated JPEG, a text file named .jpg and a 0-byte file among good
// images: the run finishes, lists the three by name, and every good
// image's predictions are PyTorch's top-5 (from its logits); accuracy is
// scored over the good, mapped images only, by the definitions.
func TestRunBadFiles(t *testing.T) {
	ds, want, badNames := fixture(t)
	p := loadNarrow(t)
	var csvBuf bytes.Buffer
	progress := 0
	s, err := Run(context.Background(), p, ds, &Options{Batch: 3, Workers: 2, Predictions: &csvBuf, Examples: 2,
		Progress: func(done, total int) {
			if total != len(ds.Samples) || done != progress+1 {
				t.Errorf("progress %d/%d after %d", done, total, progress)
			}
			progress = done
		}})
	if err != nil {
		t.Fatal(err)
	}
	checkBadFiles(t, s, badNames)
	if s.Images != len(ds.Samples) || s.Classified != len(want) || progress != len(ds.Samples) {
		t.Errorf("images %d classified %d progress %d", s.Images, s.Classified, progress)
	}
	checkScores(t, s, ds, want, badNames, &csvBuf)
	checkReport(t, s, badNames)
	checkText(t, s, badNames)
}

// checkBadFiles checks that s lists exactly badNames as errors, in
// order, each error naming its file.
func checkBadFiles(t *testing.T, s *Summary, badNames []string) {
	t.Helper()
	var gotBad []string
	for _, e := range s.Errors {
		gotBad = append(gotBad, e.Name)
		if !strings.Contains(e.Error, e.Name) {
			t.Errorf("error %q does not name %s", e.Error, e.Name)
		}
	}
	if !slices.Equal(gotBad, badNames) {
		t.Errorf("errors %v, want %v", gotBad, badNames)
	}
}

// checkScores checks each CSV row of predictions against PyTorch's top-5
// from want (the logits of ds's good samples) and s's counts against the
// scores those give with the sample labels.
func checkScores(t *testing.T, s *Summary, ds *dataset.Memory, want [][]float32, badNames []string, predictions *bytes.Buffer) {
	t.Helper()
	rows, err := csv.NewReader(predictions).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], PredictionsHeader) || len(rows) != 1+len(want) {
		t.Fatalf("CSV header %v, %d rows", rows[0], len(rows))
	}
	var scored, top1, top5, unmapped int
	g := 0
	for _, smp := range ds.Samples {
		if slices.Contains(badNames, smp.Name) {
			continue
		}
		wantTop := checkRow(t, rows[1+g], smp.Name, ds.ClassNames[smp.Label], want[g])
		if idx, ok := imagenet.Index(ds.ClassNames[smp.Label]); !ok {
			unmapped++
		} else {
			scored++
			if wantTop[0] == idx {
				top1++
			}
			if slices.Contains(wantTop, idx) {
				top5++
			}
		}
		g++
	}
	if s.Scored != scored || s.Top1Correct != top1 || s.Top5Correct != top5 || s.Unmapped != unmapped {
		t.Errorf("scored %d top1 %d top5 %d unmapped %d, want %d %d %d %d",
			s.Scored, s.Top1Correct, s.Top5Correct, s.Unmapped, scored, top1, top5, unmapped)
	}
	if s.Top1 != float64(top1)/float64(scored) || !slices.Equal(s.UnmappedClasses, []string{"my-folder"}) {
		t.Errorf("top1 %v unmapped classes %v", s.Top1, s.UnmappedClasses)
	}
	t.Logf("%d scored: top-1 %d, top-5 %d; %.1f images/s", scored, top1, top5, s.ImagesPerSec)
}

// checkRow checks one CSV row: the file name, the label's class id, -1 as
// the label index of an unmapped class, and the top-5 of logits, which it
// returns.
func checkRow(t *testing.T, row []string, name, class string, logits []float32) []int {
	t.Helper()
	wantTop := Rank(logits, 5, nil)
	var gotTop []int
	for _, v := range row[3:] {
		i, _ := strconv.Atoi(v)
		gotTop = append(gotTop, i)
	}
	if row[0] != name || row[2] != class || !slices.Equal(gotTop, wantTop) {
		t.Errorf("CSV row %v, want %s %s top-5 %v", row, name, class, wantTop)
	}
	if _, ok := imagenet.Index(class); !ok && row[1] != "-1" {
		t.Errorf("unmapped label index %s", row[1])
	}
	return wantTop
}

// checkReport checks the report of s: self-contained HTML naming the bad
// files, and summary.json with the summary's and a class's fields.
func checkReport(t *testing.T, s *Summary, badNames []string) {
	t.Helper()
	dir := t.TempDir()
	if err := WriteReport(dir, s); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range append([]string{"<svg", "data:image/jpeg;base64,"}, badNames...) {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if bytes.Contains(page, []byte("http://")) && bytes.Count(page, []byte("http://")) != bytes.Count(page, []byte(`xmlns="http://www.w3.org/2000/svg"`)) {
		t.Error("report.html refers to an external resource")
	}
	var js map[string]any
	b, _ := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err := json.Unmarshal(b, &js); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"images", "errors", "top1", "top5", "images_per_sec", "per_class", "restrict", "tta", "data", "split", "arch", "weights"} {
		if _, ok := js[k]; !ok {
			t.Errorf("summary.json lacks %q", k)
		}
	}
	pc := js["per_class"].([]any)[0].(map[string]any)
	for _, k := range []string{"wnid", "name", "imagenet_index", "images", "top1", "top5"} {
		if _, ok := pc[k]; !ok {
			t.Errorf("per_class entry lacks %q", k)
		}
	}
}

// checkText checks that the text summary of s gives the accuracies, the
// speed and the bad files.
func checkText(t *testing.T, s *Summary, badNames []string) {
	t.Helper()
	var text bytes.Buffer
	if err := WriteText(&text, s); err != nil {
		t.Fatal(err)
	}
	for _, want := range append([]string{"top-1", "top-5", "images/s"}, badNames...) {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text summary lacks %q:\n%s", want, text.String())
		}
	}
}

// Strict stops at the first bad file with an error naming it.
func TestRunStrict(t *testing.T) {
	ds, _, badNames := fixture(t)
	_, err := Run(context.Background(), loadNarrow(t), ds, &Options{Strict: true, Batch: 2})
	var se *SampleError
	if !errors.As(err, &se) || se.Name != badNames[0] || !strings.Contains(err.Error(), badNames[0]) {
		t.Errorf("err = %v, want a SampleError naming %s", err, badNames[0])
	}
}

// Classes keeps the named classes' samples, Limit the first N of them,
// and Restrict ranks among the data set's mapped classes only.
func TestRunFilterLimitRestrict(t *testing.T) {
	ds, want, badNames := fixture(t)
	var csvBuf bytes.Buffer
	s, err := Run(context.Background(), loadNarrow(t), ds, &Options{
		Classes: []string{imagenet.Name(149)}, Limit: 2, Restrict: true, Predictions: &csvBuf})
	if err != nil {
		t.Fatal(err)
	}
	// Samples of class 1 (ImageNet 149), in order, skipping bad ones.
	var names []string // the good ones among the first two
	var logits [][]float32
	g, n := 0, 0
	for _, smp := range ds.Samples {
		bad := slices.Contains(badNames, smp.Name)
		if smp.Label == 1 && n < 2 {
			n++
			if !bad {
				names = append(names, smp.Name)
				logits = append(logits, want[g])
			}
		}
		if !bad {
			g++
		}
	}
	if s.Images != 2 || !s.Restrict || s.RestrictClasses != 2 {
		t.Errorf("images %d restrict %v over %d", s.Images, s.Restrict, s.RestrictClasses)
	}
	if len(s.Errors) != 1 || s.Classified != len(names) {
		t.Errorf("errors %v, classified %d, want 1 and %d", s.Errors, s.Classified, len(names))
	}
	sc := bufio.NewScanner(&csvBuf)
	sc.Scan()
	for i := 0; sc.Scan(); i++ {
		f := strings.Split(sc.Text(), ",")
		wantTop := Rank(logits[i], 5, []int{149, 641})
		if f[0] != names[i] || f[3] != strconv.Itoa(wantTop[0]) || f[4] != strconv.Itoa(wantTop[1]) || f[5] != "" {
			t.Errorf("row %v, want %s with %v", f, names[i], wantTop)
		}
	}
}

// Restrict over a data set none of whose classes maps to ImageNet-1k is
// ErrNoMappedClasses.
func TestRunRestrictNoMappedClasses(t *testing.T) {
	ds := &dataset.Memory{Title: "fake", ClassNames: []string{"my-folder"}}
	_, err := Run(context.Background(), loadNarrow(t), ds, &Options{Restrict: true})
	if !errors.Is(err, ErrNoMappedClasses) {
		t.Errorf("err = %v, want ErrNoMappedClasses", err)
	}
}
