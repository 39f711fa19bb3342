package predict

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/alexnet-go/alexnet/imageproc"
	"github.com/alexnet-go/alexnet/internal/npy"
)

// TenCrop through RunSource (images given as bytes, batch 3 so the last
// batch is partial) matches torchvision's TenCrop pipeline with the
// softmax of the ten crops averaged (testdata/gen/eval.py): every
// probability within 1e-6, and the same top-5.
func TestTenCropMatchesPyTorch(t *testing.T) {
	p, err := Load("torchvision", filepath.Join(fixtures, "tv_narrow.pth"), 2)
	if err != nil {
		t.Fatal(err)
	}
	want, err := npy.ReadFile("../testdata/eval/tencrop_probs.npy")
	if err != nil {
		t.Fatal(err)
	}
	files := images(t)
	src := func(ctx context.Context, yield func(Input) error) error {
		for i, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			if err := yield(Input{Name: f, Data: b, Label: 100 + i}); err != nil {
				return err
			}
		}
		return nil
	}
	n := 0
	var worst float64
	err = p.RunSource(context.Background(), src, RunOptions{Batch: 3, Workers: 2, TenCrop: true}, func(r Result) error {
		if r.Err != nil {
			return r.Err
		}
		if r.Index != n || r.Label != 100+n || r.File != files[n] || r.Logits != nil {
			t.Errorf("result %d: index %d label %d file %s logits %v", n, r.Index, r.Label, r.File, r.Logits != nil)
		}
		row := want.F32[n*1000 : (n+1)*1000]
		for j, v := range r.Probs {
			worst = max(worst, math.Abs(float64(v-row[j])))
		}
		got, exp := TopKProbs(r.Probs, 5), TopKProbs(row, 5)
		for k := range exp {
			if got[k].Index != exp[k].Index {
				t.Errorf("%s: top-5 %v, PyTorch %v", r.File, got, exp)
				break
			}
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(files) {
		t.Fatalf("%d results for %d images", n, len(files))
	}
	if worst > 1e-6 {
		t.Errorf("max abs probability difference %g > 1e-6", worst)
	}
	t.Logf("%d images, max abs probability difference from PyTorch %.2g", n, worst)
}

// Inputs that arrive with Err set, and bytes that are not an image, come
// back as errors naming the input; a Source error stops RunSource.
func TestRunSourceErrors(t *testing.T) {
	p, err := Load("torchvision", filepath.Join(fixtures, "tv_narrow.pth"), 1)
	if err != nil {
		t.Fatal(err)
	}
	readErr := os.ErrPermission
	src := func(ctx context.Context, yield func(Input) error) error {
		for _, in := range []Input{{Name: "a", Err: readErr}, {Name: "b", Data: []byte("text")}, {Name: "c"}} {
			if err := yield(in); err != nil {
				return err
			}
		}
		return nil
	}
	var got []Result
	if err := p.RunSource(context.Background(), src, RunOptions{}, func(r Result) error {
		got = append(got, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var ue *imageproc.UnknownFormatError
	var ee *imageproc.EmptyFileError
	if len(got) != 3 || got[0].Err != readErr {
		t.Fatalf("results %+v", got)
	}
	if !errors.As(got[1].Err, &ue) || fileName(got[1].Err) != "b" {
		t.Errorf("text input: %v", got[1].Err)
	}
	if !errors.As(got[2].Err, &ee) || fileName(got[2].Err) != "c" {
		t.Errorf("empty input: %v", got[2].Err)
	}
	stop := os.ErrClosed
	err = p.RunSource(context.Background(), func(ctx context.Context, yield func(Input) error) error {
		return stop
	}, RunOptions{}, func(Result) error { return nil })
	if err != stop {
		t.Errorf("source error: got %v", err)
	}
}

// fileName is the name an *imageproc.FileError in err's chain gives, or "".
func fileName(err error) string {
	var fe *imageproc.FileError
	if !errors.As(err, &fe) {
		return ""
	}
	return fe.Name
}
