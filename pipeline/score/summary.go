package score

import (
	"cmp"
	"slices"

	"github.com/alexnet-go/alexnet/eval"
	"github.com/alexnet-go/alexnet/imagenet"
)

// confusions is how many confused pairs a summary lists, as `alexnet
// eval`.
const confusions = 10

// Summary fills s's counts, accuracies, per-class stats, confusions and
// errors from t, for a data set whose classes are classes: the fields
// `alexnet eval` computes from its run. The caller sets the rest (data
// set, model, speed).
func Summary(s *eval.Summary, t Tally, classes []string) {
	labels := eval.MapClasses(classes)
	s.Images, s.Classified, s.Unlabeled, s.Unmapped = t.Images, t.Classified, t.Unlabeled, t.Unmapped
	s.Errors = []eval.FileError{}
	for _, e := range t.Errors {
		s.Errors = append(s.Errors, eval.FileError{Name: e.Name, Error: e.Error})
	}
	s.UnmappedClasses = labels.Unmapped()
	s.Scored, s.Top1Correct, s.Top5Correct = 0, 0, 0
	s.PerClass = nil
	for c, n := range t.Classes {
		if n.Images == 0 {
			continue
		}
		i := labels.ImageNet[c]
		s.PerClass = append(s.PerClass, eval.ClassStats{WNID: classes[c], Name: imagenet.Name(i), ImageNetIndex: i,
			Images: n.Images, Top1Correct: n.Top1, Top5Correct: n.Top5,
			Top1: frac(n.Top1, n.Images), Top5: frac(n.Top5, n.Images)})
		s.Scored += n.Images
		s.Top1Correct += n.Top1
		s.Top5Correct += n.Top5
	}
	s.Top1, s.Top5 = frac(s.Top1Correct, s.Scored), frac(s.Top5Correct, s.Scored)
	pairs := slices.Clone(t.Pairs)
	slices.SortStableFunc(pairs, func(a, b Pair) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.First, b.First))
	})
	s.Confusions = []*eval.Confusion{}
	for _, p := range pairs[:min(confusions, len(pairs))] {
		want := labels.ImageNet[p.Label]
		s.Confusions = append(s.Confusions, &eval.Confusion{TrueWNID: classes[p.Label], TrueName: imagenet.Name(want),
			TrueIndex: want, PredIndex: p.Pred, PredWNID: imagenet.WNID(p.Pred), PredName: imagenet.Name(p.Pred), Count: p.Count})
	}
}

func frac(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
