package job

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/alexnet-go/alexnet/dataset"
	"github.com/alexnet-go/alexnet/pipeline/infer"
	"github.com/alexnet-go/alexnet/predict"
)

// classifyDir links the first n validation images and three bad files
// into a new folder and returns it, with the files in order.
func classifyDir(t *testing.T, n int) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	var files []string
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("val_%d.JPEG", i))
		link(t, i, p)
		files = append(files, p)
	}
	return dir, append(files, writeBad(t, dir)...)
}

// The classify pipeline on prism over 40 images and 3 bad files: every
// line of the 3 shards is the line `alexnet classify --json` gives its
// file, the bad files are the dead letters with the same errors, and the
// counters count them.
func TestClassify(t *testing.T) {
	dir, files := classifyDir(t, 40)
	out := filepath.Join(t.TempDir(), "out", "pred")
	c := &Classify{Input: filepath.Join(dir, "*.JPEG"), Output: out, Shards: 3, ErrorShards: 1, Top: 5,
		Forward: infer.ForwardFn{Model: tvModel(t), Batch: 8, Workers: 2}}
	counters, err := runPipeline(t, 0, c.Build)
	if err != nil {
		t.Fatal(err)
	}
	want, wantFail := classifyLines(t, c.Forward.Model, predict.Files(files))
	sameLines(t, "results", readShards(t, out, 3), want)
	sameLines(t, "dead letters", readShards(t, ErrorsPrefix(out), 1), wantFail)
	if counters["images"] != 40 || counters["errors"] != 3 || counters["read_errors"] != 0 || counters["forward_ms"] <= 0 {
		t.Errorf("counters %v, want 40 images, 3 errors and some forward time", counters)
	}
}

// A ForwardFn that panics on one image fails its bundle; prism does not
// retry bundles, so the job fails, and submitted again it writes exactly
// the files of a run without the fault: nothing lost or duplicated.
func TestClassifyRetriesAFailedJob(t *testing.T) {
	dir, files := classifyDir(t, 24)
	run := func(out, panicOn string, retries int) error {
		c := &Classify{Input: filepath.Join(dir, "*.JPEG"), Output: out, Shards: 2, ErrorShards: 1, Top: 5,
			Forward: infer.ForwardFn{Model: tvModel(t), Batch: 8, Workers: 2, PanicOnce: panicOn}}
		_, err := runPipeline(t, retries, c.Build)
		return err
	}
	tmp := t.TempDir()
	clean, faulty := filepath.Join(tmp, "clean"), filepath.Join(tmp, "faulty")
	if err := run(clean, "", 0); err != nil {
		t.Fatal(err)
	}
	if err := run(faulty, files[3], 1); err != nil {
		t.Fatalf("with one retry: %v", err)
	}
	for _, prefix := range []string{"", "-errors"} {
		shards := map[string]int{"": 2, "-errors": 1}[prefix]
		for i := range shards {
			name := fmt.Sprintf("%s-%05d-of-%05d.jsonl", prefix, i, shards)
			a, errA := os.ReadFile(clean + name)
			b, errB := os.ReadFile(faulty + name)
			if errA != nil || errB != nil || !bytes.Equal(a, b) {
				t.Errorf("%s differs after the retried job (%v, %v)", name, errA, errB)
			}
		}
	}
	if err := run(filepath.Join(tmp, "noretry"), files[4], 0); err == nil {
		t.Error("a job whose bundle panics succeeded without a retry")
	}
}

// Parquet shards in the Hugging Face layout: each row is an image, named
// "<file>#<row>", with the answers of predict on the same rows.
func TestClassifyParquet(t *testing.T) {
	folder := t.TempDir()
	labels := valLabels(t, 20)
	for i, w := range labels {
		link(t, i, filepath.Join(folder, w, fmt.Sprintf("val_%d.JPEG", i)))
	}
	ds, err := dataset.Open(context.Background(), folder, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var shards []string
	for i := range 2 { // the same 20 rows in two shards
		p := filepath.Join(dir, fmt.Sprintf("valid-%05d-of-00002.parquet", i))
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := dataset.WriteParquet(f, ds, nil); err != nil {
			t.Fatal(err)
		}
		f.Close()
		shards = append(shards, p)
	}
	out := filepath.Join(t.TempDir(), "pq")
	c := &Classify{Input: filepath.Join(dir, "*.parquet"), Output: out, Shards: 1, ErrorShards: 1, Top: 5,
		Forward: infer.ForwardFn{Model: tvModel(t), Batch: 8}}
	if _, err := runPipeline(t, 0, c.Build); err != nil {
		t.Fatal(err)
	}
	src := func(ctx context.Context, yield func(predict.Input) error) error {
		for _, s := range shards {
			d, err := dataset.Open(ctx, s, nil)
			if err != nil {
				return err
			}
			if err := d.Each(ctx, func(smp dataset.Sample) error {
				return yield(predict.Input{Name: smp.Name, Data: smp.Data, Err: smp.Err})
			}); err != nil {
				return err
			}
		}
		return nil
	}
	want, _ := classifyLines(t, c.Forward.Model, src)
	if len(want) != 40 {
		t.Fatalf("%d reference lines, want 40", len(want))
	}
	sameLines(t, "parquet results", readShards(t, out, 1), want)
}
