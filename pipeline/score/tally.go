package score

import (
	"cmp"
	"reflect"
	"slices"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/alexnet-go/alexnet/eval"
)

func init() {
	beam.RegisterType(reflect.TypeOf((*Tally)(nil)).Elem())
	register.Combiner3[Tally, Outcome, Tally](&TallyFn{})
}

// Tally is the counts of a set of outcomes. Tallies of disjoint sets
// merge into the tally of their union, whatever the order.
type Tally struct {
	Images     int // samples, errors included
	Classified int
	Unlabeled  int
	Unmapped   int
	Classes    []ClassCount // by data set class
	Pairs      []Pair       // top-1 mistakes, by (Label, Pred)
	Errors     []FileError  // samples not classified
}

// ClassCount is the scored images of one data set class.
type ClassCount struct{ Images, Top1, Top5 int }

// Pair counts the images of data set class Label whose top-1 was the
// ImageNet index Pred; First is the lowest sample index among them,
// which orders ties as `alexnet eval` meets them.
type Pair struct {
	Label, Pred, Count int
	First              int64
}

// FileError is a sample that was not classified, with its index.
type FileError struct {
	Index       int64
	Name, Error string
}

// TallyFn is the CombineFn that tallies outcomes against the labels of
// the data set's classes.
type TallyFn struct {
	Classes []string

	labels *eval.LabelMap
}

func (fn *TallyFn) labelMap() eval.LabelMap {
	if fn.labels == nil {
		m := eval.MapClasses(fn.Classes)
		fn.labels = &m
	}
	return *fn.labels
}

// CreateAccumulator returns an empty tally.
func (fn *TallyFn) CreateAccumulator() Tally {
	return Tally{Classes: make([]ClassCount, len(fn.Classes))}
}

// AddInput adds one outcome, as eval's scorer and eval.Tally.Add count
// it.
func (fn *TallyFn) AddInput(t Tally, o Outcome) Tally {
	t.Images++
	if o.Error != "" {
		t.Errors = append(t.Errors, FileError{Index: o.Index, Name: o.Name, Error: o.Error})
		return t
	}
	t.Classified++
	labels := fn.labelMap()
	want := labels.Index(o.Label)
	switch {
	case o.Label < 0 || o.Label >= len(labels.Classes):
		t.Unlabeled++
		return t
	case want < 0:
		t.Unmapped++
		return t
	}
	c := &t.Classes[o.Label]
	c.Images++
	if len(o.Top) > 0 && o.Top[0] == want {
		c.Top1++
	} else if len(o.Top) > 0 {
		t.Pairs = addPair(t.Pairs, Pair{Label: o.Label, Pred: o.Top[0], Count: 1, First: o.Index})
	}
	if slices.Contains(o.Top[:min(5, len(o.Top))], want) {
		c.Top5++
	}
	return t
}

// addPair merges p into pairs, kept sorted by (Label, Pred).
func addPair(pairs []Pair, p Pair) []Pair {
	i, found := slices.BinarySearchFunc(pairs, p, func(a, b Pair) int {
		if a.Label != b.Label {
			return a.Label - b.Label
		}
		return a.Pred - b.Pred
	})
	if !found {
		return slices.Insert(pairs, i, p)
	}
	pairs[i].Count += p.Count
	pairs[i].First = min(pairs[i].First, p.First)
	return pairs
}

// MergeAccumulators returns the tally of a's and b's outcomes together.
func (fn *TallyFn) MergeAccumulators(a, b Tally) Tally {
	a.Images += b.Images
	a.Classified += b.Classified
	a.Unlabeled += b.Unlabeled
	a.Unmapped += b.Unmapped
	for i, c := range b.Classes {
		a.Classes[i].Images += c.Images
		a.Classes[i].Top1 += c.Top1
		a.Classes[i].Top5 += c.Top5
	}
	for _, p := range b.Pairs {
		a.Pairs = addPair(a.Pairs, p)
	}
	a.Errors = append(a.Errors, b.Errors...)
	return a
}

// ExtractOutput returns t with its errors in the data set's order.
func (fn *TallyFn) ExtractOutput(t Tally) Tally {
	slices.SortFunc(t.Errors, func(a, b FileError) int {
		return cmp.Or(cmp.Compare(a.Index, b.Index), cmp.Compare(a.Name, b.Name))
	})
	return t
}
