package alexnet_test

import (
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/alexnet-go/alexnet"
	"github.com/alexnet-go/alexnet/imagenet"
	"github.com/alexnet-go/alexnet/imageproc"
	"github.com/alexnet-go/alexnet/weights"
)

// Goroutines sharing one Classifier (two replicas, so forward passes
// overlap; run with -race) get the answers it gives them one at a time.
func TestConcurrentUse(t *testing.T) {
	c := newNarrow(t, &alexnet.Options{Weights: narrow, Threads: 1, Replicas: 2})
	files, names, _ := fixture(t)
	ctx := context.Background()
	want := make([][]alexnet.Class, len(files))
	for i, b := range files {
		top, err := c.ClassifyBytes(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = top
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4*len(files))
	for g := range 4 {
		wg.Go(func() {
			for j := range files {
				i := (j + g) % len(files)
				top, err := c.ClassifyBytes(ctx, files[i])
				if err == nil && !slices.Equal(top, want[i]) {
					err = fmt.Errorf("%s: %v, alone %v", names[i], top, want[i])
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// A context already done stops every call with its error and no result;
// so does one cancelled while calls are being made.
func TestContext(t *testing.T) {
	c := newNarrow(t, nil)
	files, _, _ := fixture(t)
	img := image.NewGray(image.Rect(0, 0, 40, 30))
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if top, err := c.Classify(done, img); !errors.Is(err, context.Canceled) || top != nil {
		t.Errorf("Classify: %v, %v; want nil, context.Canceled", top, err)
	}
	if top, err := c.ClassifyBytes(done, files[0]); !errors.Is(err, context.Canceled) || top != nil {
		t.Errorf("ClassifyBytes: %v, %v; want nil, context.Canceled", top, err)
	}
	if tops, err := c.ClassifyBatch(done, []image.Image{img, img}); !errors.Is(err, context.Canceled) || tops != nil {
		t.Errorf("ClassifyBatch: %v, %v; want nil, context.Canceled", tops, err)
	}
	// Cancelled while in use: calls answer until they see it, then fail.
	short, stop := context.WithCancel(context.Background())
	go stop()
	for range 1000 {
		if _, err := c.Classify(short, img); err != nil {
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Classify after cancel: %v, want context.Canceled", err)
			}
			return
		}
	}
	t.Error("Classify kept answering after its context was cancelled")
}

// New's typed errors: unknown Arch and Precision, no weights for a variant
// without published ones, no weights found offline; the wrong Arch for a
// file.
func TestNewErrors(t *testing.T) {
	t.Setenv(weights.EnvWeights, "")
	t.Setenv(weights.EnvHome, t.TempDir())
	t.Setenv(weights.EnvTorch, t.TempDir())
	ctx := context.Background()
	var ue *alexnet.UnsupportedError
	for _, o := range []alexnet.Options{{Arch: "vgg", Weights: narrow}, {Weights: narrow, Precision: "int8"}} {
		if _, err := alexnet.New(ctx, &o); !errors.As(err, &ue) {
			t.Errorf("%+v: err = %v, want *UnsupportedError", o, err)
		}
	}
	var nw *alexnet.NoWeightsError
	if _, err := alexnet.New(ctx, &alexnet.Options{Arch: alexnet.TinyBN}); !errors.As(err, &nw) || nw.Arch != alexnet.TinyBN {
		t.Errorf("tiny-bn without weights: err = %v, want *NoWeightsError", err)
	}
	var nf *weights.NotFoundError
	if _, err := alexnet.New(ctx, nil); !errors.As(err, &nf) || nf.Err != nil {
		t.Errorf("nil Options with no weights anywhere: err = %v, want an offline *weights.NotFoundError", err)
	}
	_, err := alexnet.New(ctx, &alexnet.Options{Arch: alexnet.Original, Weights: narrow})
	if err == nil || !strings.Contains(err.Error(), `"torchvision"`) {
		t.Errorf("torchvision weights loaded as original: err = %v, want one naming torchvision", err)
	}
	if got := alexnet.Archs(); len(got) != 4 || got[0] != alexnet.Torchvision {
		t.Errorf("Archs() = %v", got)
	}
}

// Images that cannot be classified give an *ImageError naming them, with
// the decoder's typed error or ErrNoPixels.
func TestImageErrors(t *testing.T) {
	c := newNarrow(t, nil)
	ctx := context.Background()
	var ie *alexnet.ImageError
	var uf *imageproc.UnknownFormatError
	if _, err := c.ClassifyBytes(ctx, []byte("not an image")); !errors.As(err, &ie) || !errors.As(err, &uf) {
		t.Errorf("text: err = %v, want *ImageError with *imageproc.UnknownFormatError", err)
	}
	var ef *imageproc.EmptyFileError
	if _, err := c.ClassifyBytes(ctx, nil); !errors.As(err, &ef) {
		t.Errorf("no bytes: err = %v, want *imageproc.EmptyFileError", err)
	}
	good := image.NewRGBA(image.Rect(0, 0, 30, 20))
	for i, bad := range []image.Image{image.NewRGBA(image.Rect(0, 0, 0, 7)), nil} {
		_, err := c.ClassifyBatch(ctx, []image.Image{good, bad})
		if !errors.As(err, &ie) || ie.Index != 1 || !errors.Is(err, alexnet.ErrNoPixels) {
			t.Errorf("case %d: err = %v, want *ImageError{Index: 1, Err: ErrNoPixels}", i, err)
		}
	}
	if tops, err := c.ClassifyBatch(ctx, nil); err != nil || len(tops) != 0 {
		t.Errorf("empty batch: %v, %v", tops, err)
	}
}

// A classes.txt beside the weights names the classes: ImageNet wnids by
// their ImageNet names, other lines as they are.
func TestClassesFromWeights(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(narrow)
	if err != nil {
		t.Fatal(err)
	}
	w := filepath.Join(dir, "model.pth")
	lines := make([]string, 1000)
	for i := range lines {
		lines[i] = fmt.Sprintf("thing-%d", i)
	}
	lines[641] = imagenet.WNID(3)
	if err := errors.Join(os.WriteFile(w, data, 0o644),
		os.WriteFile(filepath.Join(dir, "classes.txt"), []byte(strings.Join(lines, "\n")+"\n"), 0o644)); err != nil {
		t.Fatal(err)
	}
	c := newNarrow(t, &alexnet.Options{Weights: w, TopK: 2})
	names := c.Classes()
	if len(names) != 1000 || names[641] != imagenet.Name(3) || names[149] != "thing-149" {
		t.Fatalf("Classes() = %d names, [641] %q, [149] %q", len(names), names[641], names[149])
	}
	files, _, _ := fixture(t)
	top, err := c.ClassifyBytes(context.Background(), files[0])
	if err != nil {
		t.Fatal(err)
	}
	if top[0].Index != 641 || top[0].Label != imagenet.Name(3) || top[1].Label != "thing-149" {
		t.Errorf("top-2 %+v, want 641 %q and 149 thing-149 (PyTorch's top-2)", top, imagenet.Name(3))
	}
	if c.Arch() != alexnet.Torchvision {
		t.Errorf("Arch() = %q", c.Arch())
	}
}
