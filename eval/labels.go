package eval

import (
	"fmt"
	"sort"
	"strings"

	"github.com/alexnet-go/alexnet/imagenet"
)

// LabelMap maps a data set's classes to ImageNet-1k indices by WordNet id.
type LabelMap struct {
	Classes  []string // the data set's class ids
	ImageNet []int    // ImageNet[c] is class c's ImageNet-1k index, or -1
}

// MapClasses maps each class id that is an ImageNet-1k wnid ("n01443537",
// goldfish, is 1) to its index; any other id maps to -1.
func MapClasses(classes []string) LabelMap {
	m := LabelMap{Classes: classes, ImageNet: make([]int, len(classes))}
	for c, id := range classes {
		m.ImageNet[c] = -1
		if i, ok := imagenet.Index(id); ok {
			m.ImageNet[c] = i
		}
	}
	return m
}

// Index returns the ImageNet-1k index of data set class c, or -1 when c
// is out of range or unmapped.
func (m LabelMap) Index(c int) int {
	if c < 0 || c >= len(m.ImageNet) {
		return -1
	}
	return m.ImageNet[c]
}

// Unmapped returns the class ids that have no ImageNet-1k index.
func (m LabelMap) Unmapped() []string {
	var out []string
	for c, i := range m.ImageNet {
		if i < 0 {
			out = append(out, m.Classes[c])
		}
	}
	return out
}

// Mapped returns the distinct ImageNet-1k indices of the mapped classes,
// ascending: the label space of a restricted evaluation.
func (m LabelMap) Mapped() []int {
	seen := map[int]bool{}
	var out []int
	for _, i := range m.ImageNet {
		if i >= 0 && !seen[i] {
			seen[i] = true
			out = append(out, i)
		}
	}
	sort.Ints(out)
	return out
}

// Select returns the set of data set classes named by names, each a data
// set class id, an ImageNet-1k wnid, or an ImageNet-1k class name such as
// "goldfish" (case-insensitive; a name shared by two ImageNet classes
// selects both). A name that selects no class of the data set is an error.
// No names gives nil, meaning every class.
func (m LabelMap) Select(names []string) (map[int]bool, error) {
	if len(names) == 0 {
		return nil, nil
	}
	byIndex := map[int][]int{}
	for c, i := range m.ImageNet {
		if i >= 0 {
			byIndex[i] = append(byIndex[i], c)
		}
	}
	sel := map[int]bool{}
	for _, name := range names {
		name = strings.TrimSpace(name)
		n := 0
		for c, id := range m.Classes {
			if id == name {
				sel[c] = true
				n++
			}
		}
		for i := range imagenet.NumClasses {
			if imagenet.WNID(i) == name || strings.EqualFold(imagenet.Name(i), name) {
				for _, c := range byIndex[i] {
					sel[c] = true
					n++
				}
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("class %q is not in the data set (give a class id, wnid or ImageNet name)", name)
		}
	}
	return sel, nil
}

// Rank returns the k classes with the highest scores, highest first, ties
// to the lower index, chosen among allowed (nil means all classes). It is
// the top-k of logits or of probabilities alike, since softmax keeps the
// order.
func Rank(scores []float32, k int, allowed []int) []int {
	if allowed == nil {
		allowed = make([]int, len(scores))
		for i := range allowed {
			allowed[i] = i
		}
	}
	k = min(max(k, 0), len(allowed))
	out := make([]int, 0, k)
	taken := make(map[int]bool, k)
	for range k {
		best := -1
		for _, i := range allowed {
			if i < 0 || i >= len(scores) || taken[i] {
				continue
			}
			if best < 0 || scores[i] > scores[best] || (scores[i] == scores[best] && i < best) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		taken[best] = true
		out = append(out, best)
	}
	return out
}
