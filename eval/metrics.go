package eval

import (
	"slices"

	"github.com/alexnet-go/alexnet/imagenet"
)

// ClassStats is the accuracy on one data set class that maps to ImageNet.
type ClassStats struct {
	WNID          string  `json:"wnid"` // the data set's class id
	Name          string  `json:"name"` // its ImageNet-1k name
	ImageNetIndex int     `json:"imagenet_index"`
	Images        int     `json:"images"` // scored images of the class
	Top1Correct   int     `json:"top1_correct"`
	Top5Correct   int     `json:"top5_correct"`
	Top1          float64 `json:"top1"` // Top1Correct / Images (0 when no images)
	Top5          float64 `json:"top5"`
}

// Confusion is a class pair that top-1 got wrong: images of class True
// predicted as Pred.
type Confusion struct {
	TrueWNID  string    `json:"true_wnid"`
	TrueName  string    `json:"true_name"`
	TrueIndex int       `json:"true_index"`
	PredIndex int       `json:"pred_index"`
	PredWNID  string    `json:"pred_wnid"`
	PredName  string    `json:"pred_name"`
	Count     int       `json:"count"`
	Examples  []Example `json:"examples,omitempty"`
}

// Example is one image of a confusion: its name and, when the images were
// kept for a report, a small thumbnail as a data: URI.
type Example struct {
	Name  string `json:"name"`
	Thumb string `json:"-"`
	data  []byte
}

// Tally accumulates the accuracy of top-5 predictions against labels. Its
// zero value is not usable: make one with NewTally. A Tally is not safe
// for concurrent use.
type Tally struct {
	labels LabelMap
	class  []ClassStats
	pairs  map[[2]int]*Confusion // (data set class, predicted ImageNet index)
	order  int
	first  map[[2]int]int

	Scored, Top1Correct, Top5Correct int
}

// NewTally returns an empty Tally for the classes of m.
func NewTally(m LabelMap) *Tally {
	t := &Tally{labels: m, class: make([]ClassStats, len(m.Classes)),
		pairs: map[[2]int]*Confusion{}, first: map[[2]int]int{}}
	for c, id := range m.Classes {
		i := m.ImageNet[c]
		t.class[c] = ClassStats{WNID: id, ImageNetIndex: i, Name: imagenet.Name(i)}
	}
	return t
}

// Add scores one classified sample of data set class label whose
// predictions, best first, are top (ImageNet-1k indices; the first five
// count). It returns false, counting nothing, when label has no ImageNet
// index. Top-1 is correct when top[0] is the label's index, top-5 when
// the index is among top[:5].
func (t *Tally) Add(label int, top []int) bool {
	want := t.labels.Index(label)
	if want < 0 {
		return false
	}
	t.Scored++
	cs := &t.class[label]
	cs.Images++
	if len(top) > 0 && top[0] == want {
		t.Top1Correct++
		cs.Top1Correct++
	} else if len(top) > 0 {
		k := [2]int{label, top[0]}
		if t.pairs[k] == nil {
			t.pairs[k] = &Confusion{TrueWNID: cs.WNID, TrueName: cs.Name, TrueIndex: want,
				PredIndex: top[0], PredWNID: imagenet.WNID(top[0]), PredName: imagenet.Name(top[0])}
			t.first[k] = t.order
			t.order++
		}
		t.pairs[k].Count++
	}
	if slices.Contains(top[:min(5, len(top))], want) {
		t.Top5Correct++
		cs.Top5Correct++
	}
	return true
}

// Top1 returns the top-1 accuracy, a fraction of Scored (0 when nothing
// was scored).
func (t *Tally) Top1() float64 { return frac(t.Top1Correct, t.Scored) }

// Top5 returns the top-5 accuracy, a fraction of Scored.
func (t *Tally) Top5() float64 { return frac(t.Top5Correct, t.Scored) }

// PerClass returns the stats of the mapped classes that have images, in
// the data set's class order.
func (t *Tally) PerClass() []ClassStats {
	var out []ClassStats
	for _, cs := range t.class {
		if cs.Images == 0 {
			continue
		}
		cs.Top1, cs.Top5 = frac(cs.Top1Correct, cs.Images), frac(cs.Top5Correct, cs.Images)
		out = append(out, cs)
	}
	return out
}

// Confusions returns the n most frequent top-1 mistakes (all when n < 0),
// most frequent first, ties in order of first occurrence.
func (t *Tally) Confusions(n int) []*Confusion {
	keys := make([][2]int, 0, len(t.pairs))
	for k := range t.pairs {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]int) int {
		if d := t.pairs[b].Count - t.pairs[a].Count; d != 0 {
			return d
		}
		return t.first[a] - t.first[b]
	})
	if n >= 0 && len(keys) > n {
		keys = keys[:n]
	}
	out := make([]*Confusion, len(keys))
	for i, k := range keys {
		out[i] = t.pairs[k]
	}
	return out
}

func frac(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
