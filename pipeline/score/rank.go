package score

import (
	"context"
	"fmt"
	"math"
	"reflect"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/alexnet-go/alexnet/eval"
	"github.com/alexnet-go/alexnet/imagenet"
	"github.com/alexnet-go/alexnet/pipeline/elem"
)

func init() {
	beam.RegisterType(reflect.TypeOf((*Outcome)(nil)).Elem())
	register.DoFn1x1[elem.Scores, Outcome](&RankFn{})
	register.Function1x1[elem.Failure, Outcome](FailureOutcome)
}

// Outcome is what one sample adds to the tally: its five best ImageNet
// indices, or the error that kept it from being classified.
type Outcome struct {
	Index int64
	Label int   // data set class; -1 when unlabelled
	Top   []int // ImageNet-1k indices, best first
	Name  string
	Error string // set for a sample that was not classified
}

// FailureOutcome is the outcome of a dead letter.
func FailureOutcome(f elem.Failure) Outcome {
	return Outcome{Index: f.Index, Label: -1, Name: f.File, Error: f.Error}
}

// Ranker ranks scores in ImageNet-1k's index space as `alexnet eval`
// does: the logits of a model trained on the data set's own classes
// (`alexnet train`'s) are placed at their classes' ImageNet indices and
// ranked among those; Restrict ranks only the data set's mapped
// classes.
type Ranker struct {
	native, allowed []int
}

// NewRanker returns the Ranker of a model with numClasses outputs on a
// data set whose classes map to ImageNet by labels.
func NewRanker(numClasses int, labels eval.LabelMap, restrict bool) (*Ranker, error) {
	r := &Ranker{}
	mapped := labels.Mapped()
	if numClasses != imagenet.NumClasses && numClasses == len(labels.Classes) && len(mapped) == numClasses {
		r.native = labels.ImageNet
	}
	if r.native != nil || restrict {
		if r.allowed = mapped; len(mapped) == 0 && r.native == nil {
			return nil, fmt.Errorf("--restrict: %w", eval.ErrNoMappedClasses)
		}
	}
	return r, nil
}

// Native reports whether the model's classes are the data set's.
func (r *Ranker) Native() bool { return r.native != nil }

// Allowed returns the ImageNet indices ranked over; nil means all.
func (r *Ranker) Allowed() []int { return r.allowed }

// Top5 returns the five best ImageNet indices of scores, best first.
func (r *Ranker) Top5(scores []float32) []int {
	if r.native != nil {
		placed := make([]float32, imagenet.NumClasses)
		for i := range placed {
			placed[i] = float32(math.Inf(-1))
		}
		for c, i := range r.native {
			placed[i] = scores[c]
		}
		scores = placed
	}
	return eval.Rank(scores, 5, r.allowed)
}

// RankFn ranks each image's scores (Ranker).
type RankFn struct {
	NumClasses int      // the model's outputs
	Classes    []string // the data set's class ids
	Restrict   bool

	r *Ranker
}

// Setup maps the data set's classes to ImageNet-1k.
func (fn *RankFn) Setup(context.Context) error {
	var err error
	fn.r, err = NewRanker(fn.NumClasses, eval.MapClasses(fn.Classes), fn.Restrict)
	return err
}

// ProcessElement ranks one image.
func (fn *RankFn) ProcessElement(s elem.Scores) Outcome {
	return Outcome{Index: s.Index, Label: s.Label, Top: fn.r.Top5(s.Scores), Name: s.Name}
}
