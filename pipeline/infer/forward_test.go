package infer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/alexnet-go/alexnet/internal/testutil"
	"github.com/alexnet-go/alexnet/pipeline/elem"
	"github.com/alexnet-go/alexnet/predict"
)

// runBundles runs fn over images split into bundles of the given sizes,
// as a runner calls it, and returns the scores by name.
func runBundles(t *testing.T, fn *ForwardFn, images []elem.Image, sizes []int) map[string][]float32 {
	t.Helper()
	ctx := context.Background()
	if err := fn.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	out := map[string][]float32{}
	emit := func(s elem.Scores) { out[s.Name] = s.Scores }
	fail := func(f elem.Failure) { t.Errorf("%s: %s", f.File, f.Error) }
	for _, n := range sizes {
		fn.StartBundle(ctx, emit, fail)
		for _, img := range images[:n] {
			if err := fn.ProcessElement(ctx, img, emit, fail); err != nil {
				t.Fatal(err)
			}
		}
		images = images[n:]
		if err := fn.FinishBundle(ctx, emit, fail); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// With batch 16 the narrow model's logits depend on the batch size in
// their last bits (its fully connected layers switch kernels at 16
// rows), as the full-size models' do at any size: bundles of 20 and 28
// images still give every image the logits of predict's batches of 16,
// because each bundle's last batch is padded to 16.
func TestForwardIndependentOfBundles(t *testing.T) {
	val := testutil.SharedData(t, "tiny-imagenet-200", "val", "images")
	var images []elem.Image
	var inputs []predict.Input
	for i := range 48 {
		name := filepath.Join(val, fmt.Sprintf("val_%d.JPEG", i))
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		images = append(images, elem.Image{Index: int64(i), Name: name, Data: data, Label: -1})
		inputs = append(inputs, predict.Input{Name: name, Data: data})
	}
	m := Model{Arch: "torchvision", Weights: testutil.NarrowWeights(t), Threads: 2}
	p, err := Load(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if p, err = p.Replica(); err != nil {
		t.Fatal(err)
	}
	want := map[string][]float32{}
	src := func(ctx context.Context, yield func(predict.Input) error) error {
		for _, in := range inputs {
			if err := yield(in); err != nil {
				return err
			}
		}
		return nil
	}
	err = p.RunSource(context.Background(), src, predict.RunOptions{Batch: 16}, func(r predict.Result) error {
		want[r.File] = slices.Clone(r.Logits)
		return r.Err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, sizes := range [][]int{{20, 28}, {1, 47}, {48}} {
		got := runBundles(t, &ForwardFn{Model: m, Batch: 16, Workers: 2}, images, sizes)
		differ := 0
		for name, w := range want {
			if !slices.Equal(got[name], w) {
				differ++
			}
		}
		if len(got) != len(want) || differ > 0 {
			t.Errorf("bundles %v: %d results, %d of %d differ from predict's", sizes, len(got), differ, len(want))
		}
	}
	// The test can tell: a partial batch gives other bits.
	var partial []float32
	err = p.RunSource(context.Background(), predict.Files([]string{images[0].Name}), predict.RunOptions{Batch: 16},
		func(r predict.Result) error { partial = r.Logits; return r.Err })
	if err != nil || slices.Equal(partial, want[images[0].Name]) {
		t.Errorf("a batch of 1 gives the logits of a batch of 16 (err %v): the test cannot see padding", err)
	}
}
