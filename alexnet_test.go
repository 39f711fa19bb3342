package alexnet_test

import (
	"bytes"
	"cmp"
	"context"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/alexnet-go/alexnet"
	"github.com/alexnet-go/alexnet/imagenet"
	"github.com/alexnet-go/alexnet/imageproc/jpeg"
	"github.com/alexnet-go/alexnet/internal/npy"
)

// The fixtures of testdata/gen/classify.py: a narrow torchvision AlexNet
// with seeded random weights, and the logits torchvision's pipeline gives
// for each image of images.txt.
const (
	narrow    = "testdata/classify/tv_narrow.pth"
	tvLogits  = "testdata/classify/tv_logits.npy"
	imageList = "testdata/classify/images.txt"
)

// fixture returns the encoded images of images.txt, their names, and
// PyTorch's logits for each.
func fixture(t *testing.T) (files [][]byte, names []string, logits [][]float32) {
	t.Helper()
	list, err := os.ReadFile(imageList)
	if err != nil {
		t.Fatal(err)
	}
	want, err := npy.ReadFile(tvLogits)
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range strings.Fields(string(list)) {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		files, names = append(files, b), append(names, name)
		logits = append(logits, want.F32[i*1000:(i+1)*1000])
	}
	return files, names, logits
}

func newNarrow(t testing.TB, opt *alexnet.Options) *alexnet.Classifier {
	t.Helper()
	o := alexnet.Options{Weights: narrow, Threads: 2}
	if opt != nil {
		o = *opt
	}
	c, err := alexnet.New(context.Background(), &o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// checkTop checks top against PyTorch's logits: the indices of a stable
// argsort by descending logit, ImageNet's names, and the softmax of the
// logits (computed here in float64) within 1e-5.
func checkTop(t *testing.T, name string, top []alexnet.Class, logits []float32, k int) {
	t.Helper()
	idx := make([]int, len(logits))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(logits[b], logits[a]) })
	hi := float64(slices.Max(logits))
	var sum float64
	for _, v := range logits {
		sum += math.Exp(float64(v) - hi)
	}
	if len(top) != k {
		t.Fatalf("%s: %d classes, want %d", name, len(top), k)
	}
	for r, c := range top {
		p := math.Exp(float64(logits[idx[r]])-hi) / sum
		if c.Index != idx[r] || c.Label != imagenet.Name(idx[r]) || math.Abs(float64(c.Prob)-p) > 1e-5 {
			t.Errorf("%s: rank %d is %+v; PyTorch's is %d %q %.6g", name, r, c, idx[r], imagenet.Name(idx[r]), p)
		}
	}
}

// Every image of images.txt, decoded from its bytes, gets PyTorch's top-5.
func TestClassifyBytesMatchesPyTorch(t *testing.T) {
	c := newNarrow(t, nil)
	files, names, logits := fixture(t)
	for i, b := range files {
		top, err := c.ClassifyBytes(context.Background(), b)
		if err != nil {
			t.Fatalf("%s: %v", names[i], err)
		}
		checkTop(t, names[i], top, logits[i], 5)
	}
}

// The images as image.Image values (decoded by image/png, and by
// imageproc/jpeg, whose pixels are libjpeg's), one at a time and in one
// batch, get PyTorch's top-5; with TopK 3, the first 3.
func TestClassifyImageMatchesPyTorch(t *testing.T) {
	files, names, logits := fixture(t)
	var imgs []image.Image
	var want [][]float32
	for i, b := range files {
		var img image.Image
		var err error
		switch filepath.Ext(names[i]) {
		case ".png":
			img, err = png.Decode(bytes.NewReader(b))
		case ".jpg":
			img, err = jpeg.DecodeRGB(bytes.NewReader(b))
		default:
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", names[i], err)
		}
		imgs, want = append(imgs, img), append(want, logits[i])
		names[len(imgs)-1] = names[i]
	}
	if len(imgs) < 6 {
		t.Fatalf("%d JPEG and PNG images in %s, want 6", len(imgs), imageList)
	}
	ctx := context.Background()
	for _, k := range []int{5, 3} {
		c := newNarrow(t, &alexnet.Options{Weights: narrow, TopK: k, Threads: 1})
		for i, img := range imgs {
			top, err := c.Classify(ctx, img)
			if err != nil {
				t.Fatalf("%s: %v", names[i], err)
			}
			checkTop(t, names[i], top, want[i], k)
		}
		tops, err := c.ClassifyBatch(ctx, imgs)
		if err != nil || len(tops) != len(imgs) {
			t.Fatalf("ClassifyBatch: %d results, %v; want %d", len(tops), err, len(imgs))
		}
		for i, top := range tops {
			checkTop(t, "batch "+names[i], top, want[i], k)
		}
	}
}
