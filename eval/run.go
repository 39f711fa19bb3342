package eval

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/alexnet-go/alexnet/imagenet"
	"github.com/alexnet-go/alexnet/predict"
)

// TTA names a test-time augmentation.
const (
	Center  = "center"  // Resize, CenterCrop: one forward pass per image
	TenCrop = "tencrop" // torchvision's TenCrop, softmaxes averaged (imageproc.TenCrop)
)

// Options configure Run. A nil *Options means defaults: batch 8, one
// decoding worker per CPU, every sample, argmax over all 1000 classes,
// centre crop.
type Options struct {
	Batch, Workers int
	// Limit, when > 0, stops after that many samples (counted after the
	// Classes filter), the first ones in the data set's order.
	Limit int
	// Classes keeps only the samples of these classes: data set class
	// ids, ImageNet wnids or ImageNet names (LabelMap.Select).
	Classes []string
	// Restrict takes the top-k over the ImageNet indices of the data
	// set's mapped classes only, instead of all 1000 (ErrNoMappedClasses
	// when none maps).
	Restrict bool
	// TTA is Center ("" means Center) or TenCrop.
	TTA string
	// Strict stops at the first sample that cannot be read or decoded,
	// with an error naming it; otherwise such samples are listed and
	// skipped.
	Strict bool
	// Predictions, when set, receives the CSV of WritePredictionsHeader
	// and one row per classified image, as results arrive.
	Predictions io.Writer
	// Progress, when set, is called after each sample with the number
	// done and the expected total (-1 when unknown, as with Classes).
	Progress func(done, total int)
	// Examples, when > 0, keeps up to that many images per confused class
	// pair (within 64 MiB in all) for the report's thumbnails.
	Examples int
}

// FileError is a sample that could not be classified.
type FileError struct {
	Name  string `json:"name"`
	Error string `json:"error"`
}

// Summary is the outcome of Run. Accuracies are fractions (0.72, not 72).
type Summary struct {
	Data     string `json:"data"`  // the data set (set by the caller; Run puts ds.Name())
	Split    string `json:"split"` // set by the caller
	Arch     string `json:"arch"`
	Weights  string `json:"weights"` // set by the caller
	TTA      string `json:"tta"`
	Restrict bool   `json:"restrict"`
	// RestrictClasses is the number of ImageNet classes the top-k was
	// taken over (1000 without Restrict).
	RestrictClasses int `json:"restrict_classes"`

	Images       int         `json:"images"` // samples read, after Classes and Limit
	Errors       []FileError `json:"errors"` // samples not classified
	Classified   int         `json:"classified"`
	Unlabeled    int         `json:"unlabeled"` // classified, without a label
	Unmapped     int         `json:"unmapped"`  // classified, of a class with no ImageNet index
	Scored       int         `json:"scored"`    // classified and mapped: the accuracy denominator
	Top1Correct  int         `json:"top1_correct"`
	Top5Correct  int         `json:"top5_correct"`
	Top1         float64     `json:"top1"`
	Top5         float64     `json:"top5"`
	Seconds      float64     `json:"seconds"`
	ImagesPerSec float64     `json:"images_per_sec"` // classified images per second, encoded bytes to predictions
	// UnmappedClasses are the data set's class ids with no ImageNet-1k
	// index; their samples are counted in Unmapped.
	UnmappedClasses []string     `json:"unmapped_classes"`
	PerClass        []ClassStats `json:"per_class"`
	Confusions      []*Confusion `json:"confusions"` // the most frequent top-1 mistakes
}

// SampleError is the error of Run with Strict: the first sample that
// could not be classified.
type SampleError struct {
	Name string
	Err  error
}

func (e *SampleError) Error() string {
	if namesSample(e.Err, e.Name) {
		return "bad sample: " + e.Err.Error()
	}
	return fmt.Sprintf("bad sample %s: %v", e.Name, e.Err)
}

func (e *SampleError) Unwrap() error { return e.Err }

var errLimit = errors.New("eval: limit reached")

const exampleBudget = 64 << 20

// ErrNoMappedClasses is the error of Run with Restrict when no class of
// the data set maps to ImageNet-1k, leaving nothing to rank over.
var ErrNoMappedClasses = errors.New("no class of the data set maps to ImageNet-1k to restrict the argmax to")

// Run classifies the samples of ds with p and scores them against their
// labels. Samples that cannot be read or decoded are listed in
// Summary.Errors and skipped (with opt.Strict, the first one stops Run
// with a *SampleError). Run returns early with ctx's error, or with an
// error from the model, the data set or opt.Predictions.
func Run(ctx context.Context, p *predict.Predictor, ds Dataset, opt *Options) (*Summary, error) {
	if opt == nil {
		opt = &Options{}
	}
	r, err := newScorer(p, ds, opt)
	if err != nil {
		return nil, err
	}
	if opt.Predictions != nil {
		if err := WritePredictionsHeader(opt.Predictions); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	err = p.RunSource(ctx, r.source(ds), predict.RunOptions{Batch: opt.Batch, Workers: opt.Workers,
		TenCrop: r.s.TTA == TenCrop}, r.add)
	r.s.Seconds = time.Since(start).Seconds()
	if err != nil {
		return nil, err
	}
	r.finish()
	return r.s, nil
}

// checkTTA returns the test-time augmentation tta names ("" is Center).
func checkTTA(tta string) (string, error) {
	if tta == "" {
		tta = Center
	}
	if tta != Center && tta != TenCrop {
		return "", fmt.Errorf("unknown test-time augmentation %q (want %s or %s)", tta, Center, TenCrop)
	}
	return tta, nil
}

// expectedTotal is the number of samples Run expects to read from a data
// set of n samples: n, or at most limit when limit > 0; -1 (unknown) when
// a class selection filters them without a limit.
func expectedTotal(n int, filtered bool, limit int) int {
	total := n
	if filtered {
		total = -1
	}
	if limit > 0 && (total < 0 || limit < total) {
		total = limit
	}
	return total
}

// nativeIndices returns the ImageNet index of each of the n logits of a
// model trained on the data set's own classes: n is not ImageNet-1k's
// class count, the data set has n classes, and each maps to a distinct
// ImageNet-1k index. Otherwise it returns nil.
func nativeIndices(n int, labels LabelMap) []int {
	if n == imagenet.NumClasses || n != len(labels.Classes) || len(labels.Mapped()) != n {
		return nil
	}
	return labels.ImageNet
}

// scatter places logit c at ImageNet index idx[c], the other scores at
// -Inf.
func scatter(logits []float32, idx []int) []float32 {
	out := make([]float32, imagenet.NumClasses)
	for i := range out {
		out[i] = float32(math.Inf(-1))
	}
	for c, i := range idx {
		out[i] = logits[c]
	}
	return out
}
