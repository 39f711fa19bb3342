// Package imagenet holds the ImageNet-1k (ILSVRC-2012) class list: index i
// (0..999, torchvision's order, i.e. sorted wnids) has a WordNet id and the
// short English name that PyTorch examples print (imagenet_classes.txt).
// The lists are embedded; the package is safe for concurrent use.
package imagenet

import (
	_ "embed"
	"strings"
	"sync"
)

// NumClasses is the number of ImageNet-1k classes.
const NumClasses = 1000

//go:embed classes.txt
var classesTxt string

//go:embed wnids.txt
var wnidsTxt string

var (
	once   sync.Once
	names  []string
	wnids  []string
	byWNID map[string]int
)

func load() {
	once.Do(func() {
		names = lines(classesTxt)
		wnids = lines(wnidsTxt)
		byWNID = make(map[string]int, len(wnids))
		for i, w := range wnids {
			byWNID[w] = i
		}
	})
}

func lines(s string) []string {
	out := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i := range out {
		out[i] = strings.TrimSpace(out[i])
	}
	return out
}

// Name returns the short name of class i ("goldfish" for 1), or "" when i
// is out of range.
func Name(i int) string {
	load()
	if i < 0 || i >= len(names) {
		return ""
	}
	return names[i]
}

// WNID returns the WordNet id of class i ("n01443537" for 1), or "" when i
// is out of range.
func WNID(i int) string {
	load()
	if i < 0 || i >= len(wnids) {
		return ""
	}
	return wnids[i]
}

// Index returns the class index of a WordNet id and whether it is one of
// the 1000 classes.
func Index(wnid string) (int, bool) {
	load()
	i, ok := byWNID[wnid]
	return i, ok
}

// Names returns a copy of the 1000 class names in index order.
func Names() []string {
	load()
	return append([]string(nil), names...)
}
