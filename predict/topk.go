package predict

import (
	"slices"
	"sort"
	"strconv"

	"github.com/alexnet-go/alexnet/imagenet"
	"github.com/alexnet-go/alexnet/kernels"
)

// Class is one entry of a top-k answer: an ImageNet-1k index, its name and
// its softmax probability.
type Class struct {
	Index int     `json:"index"`
	Label string  `json:"label"`
	Prob  float32 `json:"prob"`
}

// TopK returns the k largest logits' classes, highest first, ties broken
// by the lower index (as a stable argsort). Probabilities are the softmax
// over all logits; labels are ImageNet-1k names when the model has 1000
// classes, else "class <i>".
func TopK(logits []float32, k int) []Class {
	idx := topIndices(logits, k)
	p := make([]float32, len(logits))
	kernels.Softmax(1, len(logits), logits, p)
	out := make([]Class, len(idx))
	for r, i := range idx {
		out[r] = Class{Index: i, Label: Label(i, len(logits)), Prob: p[i]}
	}
	return out
}

// Label names class i of an n-class model.
func Label(i, n int) string {
	if n == imagenet.NumClasses {
		return imagenet.Name(i)
	}
	return "class " + strconv.Itoa(i)
}

// TopKProbs is TopK on probabilities already computed (such as the
// averaged softmax of TenCrop): the k largest, highest first, ties to the
// lower index.
func TopKProbs(probs []float32, k int) []Class {
	idx := topIndices(probs, k)
	out := make([]Class, len(idx))
	for r, i := range idx {
		out[r] = Class{Index: i, Label: Label(i, len(probs)), Prob: probs[i]}
	}
	return out
}

// topIndices returns the indices of the k largest values of v (k clamped
// to [0, len(v)]), highest first, ties to the lower index: the first k of
// a stable argsort by descending value. For small k it keeps the k best
// by insertion, one pass over v.
func topIndices(v []float32, k int) []int {
	k = min(max(k, 0), len(v))
	if k > 32 || slices.ContainsFunc(v, func(x float32) bool { return x != x }) {
		idx := make([]int, len(v))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return v[idx[a]] > v[idx[b]] })
		return idx[:k]
	}
	top := make([]int, 0, k)
	for i, x := range v {
		if len(top) == k && (k == 0 || !(x > v[top[k-1]])) {
			continue
		}
		p := len(top) // after every kept value x does not beat
		for p > 0 && x > v[top[p-1]] {
			p--
		}
		if len(top) < k {
			top = append(top, 0)
		}
		copy(top[p+1:], top[p:len(top)-1])
		top[p] = i
	}
	return top
}
