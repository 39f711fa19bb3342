package eval

import (
	"context"
	"errors"

	"github.com/alexnet-go/alexnet/predict"
)

// scorer is one Run: what it scores against and the Summary it fills.
// Only the goroutine of predict.Predictor.RunSource's emit calls add;
// the source goroutine writes s.Images alone until RunSource returns.
type scorer struct {
	opt    *Options
	labels LabelMap
	sel    map[int]bool // the data set classes kept; nil for all
	// native maps the logits of a model trained on the data set's own
	// classes to ImageNet indices (nil for an ImageNet-1k model), and
	// allowed are the ImageNet indices the top-k is taken over (nil: all).
	native, allowed []int
	tally           *Tally
	s               *Summary
	total           int // samples expected, -1 when unknown
	done, kept      int // results seen; bytes of example images kept
}

// newScorer checks opt against p and ds and returns an empty scorer.
func newScorer(p *predict.Predictor, ds Dataset, opt *Options) (*scorer, error) {
	tta, err := checkTTA(opt.TTA)
	if err != nil {
		return nil, err
	}
	labels := MapClasses(ds.Classes())
	sel, err := labels.Select(opt.Classes)
	if err != nil {
		return nil, err
	}
	numClasses := p.Model.Config().NumClasses
	// A model trained on the data set's own classes (logit c is class c,
	// as `alexnet train` makes) is scored in ImageNet's index space:
	// each class's score goes to its ImageNet index, and the top-k is
	// over those indices.
	native := nativeIndices(numClasses, labels)
	var allowed []int
	if native != nil || opt.Restrict {
		if allowed = labels.Mapped(); len(allowed) == 0 && native == nil {
			return nil, ErrNoMappedClasses
		}
	}
	s := &Summary{Data: ds.Name(), Arch: p.Arch, TTA: tta, Restrict: opt.Restrict,
		RestrictClasses: len(allowed), Errors: []FileError{}, UnmappedClasses: labels.Unmapped()}
	if !opt.Restrict && native == nil {
		s.RestrictClasses = numClasses
	}
	return &scorer{opt: opt, labels: labels, sel: sel, native: native, allowed: allowed,
		tally: NewTally(labels), s: s, total: expectedTotal(ds.Len(), sel != nil, opt.Limit)}, nil
}

// source is the predict.Source of the samples of ds that opt.Classes
// keeps, up to opt.Limit of them, counting them in s.Images.
func (r *scorer) source(ds Dataset) predict.Source {
	return func(ctx context.Context, yield func(predict.Input) error) error {
		err := ds.Each(ctx, func(smp Sample) error {
			if r.sel != nil && !r.sel[smp.Label] {
				return nil
			}
			if r.opt.Limit > 0 && r.s.Images >= r.opt.Limit {
				return errLimit
			}
			r.s.Images++ // only the source goroutine writes Images until RunSource returns
			return yield(predict.Input{Name: smp.Name, Data: smp.Data, Label: smp.Label, Err: smp.Err})
		})
		if errors.Is(err, errLimit) {
			return nil
		}
		return err
	}
}

// add scores one result: it reports progress, lists (or with Strict
// returns) a failure, writes the prediction row and tallies the top-5.
func (r *scorer) add(res predict.Result) error {
	r.done++
	if r.opt.Progress != nil {
		r.opt.Progress(r.done, r.total)
	}
	if res.Err != nil {
		if r.opt.Strict {
			return &SampleError{Name: res.File, Err: res.Err}
		}
		r.s.Errors = append(r.s.Errors, FileError{Name: res.File, Error: res.Err.Error()})
		return nil
	}
	r.s.Classified++
	top := r.rank(res)
	if r.opt.Predictions != nil {
		if err := writePrediction(r.opt.Predictions, res.File, r.labels, res.Label, top); err != nil {
			return err
		}
	}
	switch {
	case res.Label < 0 || res.Label >= len(r.labels.Classes):
		r.s.Unlabeled++
	case !r.tally.Add(res.Label, top):
		r.s.Unmapped++
	case r.opt.Examples > 0 && len(top) > 0 && top[0] != r.labels.Index(res.Label):
		r.keepExample(res, top[0])
	}
	return nil
}

// rank returns the five best ImageNet indices of res, best first.
func (r *scorer) rank(res predict.Result) []int {
	scores := res.Logits
	if scores == nil {
		scores = res.Probs
	}
	if r.native != nil {
		scores = scatter(scores, r.native)
	}
	return Rank(scores, 5, r.allowed)
}

// keepExample adds res to the examples of its confusion with pred, up to
// opt.Examples per pair, keeping its bytes while the budget lasts.
func (r *scorer) keepExample(res predict.Result, pred int) {
	c := r.tally.pairs[[2]int{res.Label, pred}]
	if len(c.Examples) >= r.opt.Examples {
		return
	}
	ex := Example{Name: res.File}
	if r.kept+len(res.Data) <= exampleBudget {
		ex.data = append([]byte(nil), res.Data...)
		r.kept += len(ex.data)
	}
	c.Examples = append(c.Examples, ex)
}

// finish fills the Summary's rates and accuracies from the tally and
// turns the kept example images into thumbnails.
func (r *scorer) finish() {
	s, tally := r.s, r.tally
	if s.Seconds > 0 {
		s.ImagesPerSec = float64(s.Classified) / s.Seconds
	}
	s.Scored, s.Top1Correct, s.Top5Correct = tally.Scored, tally.Top1Correct, tally.Top5Correct
	s.Top1, s.Top5 = tally.Top1(), tally.Top5()
	s.PerClass = tally.PerClass()
	s.Confusions = tally.Confusions(10)
	if r.opt.Examples <= 0 {
		return
	}
	for _, c := range s.Confusions {
		for i := range c.Examples {
			c.Examples[i].Thumb = thumbnail(c.Examples[i].data)
			c.Examples[i].data = nil
		}
	}
}
