package job

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"github.com/alexnet-go/alexnet/internal/testutil"
	"github.com/alexnet-go/alexnet/pipeline/infer"
	"github.com/alexnet-go/alexnet/pipeline/runner"
	"github.com/alexnet-go/alexnet/pipeline/sink"
	"github.com/alexnet-go/alexnet/predict"
)

// tinyVal is the folder of Tiny ImageNet's validation images and their
// labels file; the test is skipped without ../shared/data.
func tinyVal(t *testing.T) string {
	return testutil.SharedData(t, "tiny-imagenet-200", "val")
}

// valLabels returns the wnid of each of the first n validation images
// (val_0.JPEG ...), from val_annotations.txt.
func valLabels(t *testing.T, n int) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(tinyVal(t), "val_annotations.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	wnid := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fs := strings.Fields(sc.Text()); len(fs) >= 2 {
			wnid[fs[0]] = fs[1]
		}
	}
	out := make([]string, n)
	for i := range out {
		out[i] = wnid[fmt.Sprintf("val_%d.JPEG", i)]
	}
	return out
}

// link makes dst a symbolic link to the i-th validation image.
func link(t *testing.T, i int, dst string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(tinyVal(t), "images", fmt.Sprintf("val_%d.JPEG", i)), dst); err != nil {
		t.Fatal(err)
	}
}

// writeBad writes three files that do not decode into dir: a truncated
// JPEG, text and an empty file, and returns their paths.
func writeBad(t *testing.T, dir string) []string {
	t.Helper()
	jpeg, err := os.ReadFile(filepath.Join(tinyVal(t), "images", "val_0.JPEG"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"truncated.JPEG": jpeg[:len(jpeg)/2], "notes.JPEG": []byte("not an image\n"), "empty.JPEG": nil}
	var out []string
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// tvModel is the narrow torchvision fixture, on 2 threads.
func tvModel(t *testing.T) infer.Model {
	return infer.Model{Arch: "torchvision", Weights: testutil.NarrowWeights(t), Threads: 2}
}

// runPipeline builds and runs a pipeline on prism.
func runPipeline(t *testing.T, retries int, build func(s beam.Scope)) (runner.Counters, error) {
	t.Helper()
	beam.Init()
	p, s := beam.NewPipelineWithRoot()
	build(s)
	return runner.Run(context.Background(), p, runner.Options{Retries: retries})
}

// readShards returns the lines of the n shards under prefix by the file
// they name, failing on a missing shard or a line that appears twice.
func readShards(t *testing.T, prefix string, n int) map[string]string {
	t.Helper()
	out := map[string]string{}
	for i := range n {
		b, err := os.ReadFile(sink.ShardName(prefix, i, n))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
			if l == "" {
				continue
			}
			var v struct{ File string }
			if err := json.Unmarshal([]byte(l), &v); err != nil {
				t.Fatalf("shard %d: %v", i, err)
			}
			if _, dup := out[v.File]; dup {
				t.Errorf("%s appears twice", v.File)
			}
			out[v.File] = l
		}
	}
	return out
}

// classifyLines returns what `alexnet classify --json` prints for each
// input of src (predict.RunSource, batches of 8, p.TopK), by name:
// results and failures apart.
func classifyLines(t *testing.T, m infer.Model, src predict.Source) (results, failures map[string]string) {
	t.Helper()
	p, err := infer.Load(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	p, err = p.Replica()
	if err != nil {
		t.Fatal(err)
	}
	results, failures = map[string]string{}, map[string]string{}
	err = p.RunSource(context.Background(), src, predict.RunOptions{Batch: 8}, func(r predict.Result) error {
		l := infer.ClassifyLine{File: r.File}
		into := results
		if r.Err != nil {
			l.Error, into = r.Err.Error(), failures
		} else {
			l.Top = p.TopK(r.Logits, 5)
		}
		b, err := json.Marshal(l)
		into[r.File] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return results, failures
}

// sameLines reports the differences between two sets of lines by name.
func sameLines(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d lines, want %d", what, len(got), len(want))
	}
	bad := 0
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			if bad++; bad <= 3 {
				t.Errorf("%s %s:\n got %s\nwant %s", what, k, g, w)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d lines differ", what, bad, len(want))
	}
}
