package job

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"github.com/alexnet-go/alexnet/dataset"
	"github.com/alexnet-go/alexnet/eval"
	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/pipeline/infer"
	"github.com/alexnet-go/alexnet/pipeline/score"
	"github.com/alexnet-go/alexnet/predict"
	"github.com/alexnet-go/alexnet/train"
	"github.com/alexnet-go/alexnet/weights"
)

// evalFolder makes an ImageFolder of the first n validation images in
// their wnid folders, with a file that does not decode in one of them,
// and returns it and its classes.
func evalFolder(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	labels := valLabels(t, n)
	for i, w := range labels {
		link(t, i, filepath.Join(dir, w, fmt.Sprintf("val_%d.JPEG", i)))
	}
	if err := os.WriteFile(filepath.Join(dir, labels[0], "notes.JPEG"), []byte("not an image"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// tinyModel writes a narrow tiny-bn model with random weights whose
// classes are the folder's (classes.txt beside it), the model `alexnet
// train` makes on a data set: eval ranks its logits in ImageNet's index
// space.
func tinyModel(t *testing.T, classes []string) infer.Model {
	t.Helper()
	m, err := model.New(model.Config{Arch: model.ArchTinyBN, Channels: [5]int{8, 16, 16, 16, 16}, Hidden: 32,
		NumClasses: len(classes), InputSize: 64})
	if err != nil {
		t.Fatal(err)
	}
	train.InitTorchvision(m, rand.New(rand.NewPCG(1, 2)))
	sd := &weights.StateDict{Tensors: m.StateDict()}
	for name := range sd.Tensors {
		sd.Names = append(sd.Names, name)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "model.safetensors")
	if err := weights.Save(path, sd); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, weights.ClassesFile), []byte(strings.Join(classes, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return infer.Model{Arch: model.ArchTinyBN, Weights: path, Threads: 2}
}

// open opens the data set and the process's shared Predictor of m.
func open(t *testing.T, data string, m infer.Model) (dataset.Dataset, *predict.Predictor) {
	t.Helper()
	ds, err := dataset.Open(context.Background(), data, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := infer.Load(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	return ds, p
}

// runEval runs the eval pipeline on prism as alexnet-pipeline eval
// configures it and returns its summary.
func runEval(t *testing.T, data string, m infer.Model, restrict bool) *eval.Summary {
	t.Helper()
	ds, p := open(t, data, m)
	e := &Eval{Data: data, Len: ds.Len(), Classes: ds.Classes(), NumClasses: p.Model.Config().NumClasses,
		Restrict: restrict, Output: filepath.Join(t.TempDir(), "eval"),
		Forward: infer.ForwardFn{Model: m, Batch: 8, Workers: 2}}
	_, e.Indexed = ds.(dataset.Indexed)
	r, err := score.NewRanker(e.NumClasses, eval.MapClasses(e.Classes), restrict)
	if err != nil {
		t.Fatal(err)
	}
	e.Summary = eval.Summary{Data: ds.Name(), Arch: p.Arch, TTA: eval.Center, Restrict: restrict, RestrictClasses: len(r.Allowed())}
	if !restrict && !r.Native() {
		e.Summary.RestrictClasses = e.NumClasses
	}
	if _, err := runPipeline(t, 0, func(s beam.Scope) { must(t, e.Build(s)) }); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(SummaryPath(e.Output))
	if err != nil {
		t.Fatal(err)
	}
	var s eval.Summary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

// The eval pipeline's summary is eval.Run's (`alexnet eval --json`),
// timing aside: over an ImageFolder read by index and its parquet copy
// read as a stream, with a bad file, for an ImageNet model (with and
// without --restrict) and for a model of the folder's own classes.
func TestEvalMatchesEval(t *testing.T) {
	folder := evalFolder(t, 48)
	ds, err := dataset.Open(context.Background(), folder, nil)
	if err != nil {
		t.Fatal(err)
	}
	pq := filepath.Join(t.TempDir(), "valid.parquet")
	writeParquet(t, pq, folder)
	for _, c := range []struct {
		name     string
		data     string
		model    infer.Model
		restrict bool
	}{
		{"folder", folder, tvModel(t), false},
		{"folder restrict", folder, tvModel(t), true},
		{"folder native", folder, tinyModel(t, ds.Classes()), false},
		{"parquet", pq, tvModel(t), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := runEval(t, c.data, c.model, c.restrict)
			want := evalRun(t, c.data, c.model, c.restrict)
			got.Seconds, got.ImagesPerSec, want.Seconds, want.ImagesPerSec = 0, 0, 0, 0
			g, _ := json.MarshalIndent(got, "", " ")
			w, _ := json.MarshalIndent(want, "", " ")
			if string(g) != string(w) {
				t.Errorf("summary differs from eval.Run's:\n got %s\nwant %s", g, w)
			}
			if want.Scored == 0 || len(want.Errors) != 1 && c.data == folder {
				t.Errorf("a weak test: %d scored, %d errors", want.Scored, len(want.Errors))
			}
		})
	}
}

// evalRun is `alexnet eval --json` on data: eval.Run.
func evalRun(t *testing.T, data string, m infer.Model, restrict bool) *eval.Summary {
	t.Helper()
	ds, p := open(t, data, m)
	p, err := p.Replica()
	if err != nil {
		t.Fatal(err)
	}
	s, err := eval.Run(context.Background(), p, ds, &eval.Options{Batch: 8, Restrict: restrict})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// writeParquet copies the folder data set into a parquet file
// (dataset.WriteParquet copies the bytes: the bad file is a bad row).
func writeParquet(t *testing.T, path, folder string) {
	t.Helper()
	ds, err := dataset.Open(context.Background(), folder, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := dataset.WriteParquet(f, ds, nil); err != nil {
		t.Fatal(err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
