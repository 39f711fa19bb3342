package predict

import (
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
	k = min(max(k, 0), len(logits))
	idx := make([]int, len(logits))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return logits[idx[a]] > logits[idx[b]] })
	p := make([]float32, len(logits))
	kernels.Softmax(1, len(logits), logits, p)
	out := make([]Class, k)
	for r, i := range idx[:k] {
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
	k = min(max(k, 0), len(probs))
	idx := make([]int, len(probs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return probs[idx[a]] > probs[idx[b]] })
	out := make([]Class, k)
	for r, i := range idx[:k] {
		out[r] = Class{Index: i, Label: Label(i, len(probs)), Prob: probs[i]}
	}
	return out
}
