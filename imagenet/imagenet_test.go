package imagenet

import (
	"sort"
	"testing"

	"github.com/alexnet-go/alexnet/internal/testutil"
)

func TestKnownClasses(t *testing.T) {
	cases := []struct {
		i          int
		name, wnid string
	}{
		{0, "tench", "n01440764"},
		{1, "goldfish", "n01443537"},
		{999, "toilet tissue", "n15075141"},
	}
	for _, c := range cases {
		if got := Name(c.i); got != c.name {
			t.Errorf("Name(%d) = %q, want %q", c.i, got, c.name)
		}
		if got := WNID(c.i); got != c.wnid {
			t.Errorf("WNID(%d) = %q, want %q", c.i, got, c.wnid)
		}
		if got, ok := Index(c.wnid); !ok || got != c.i {
			t.Errorf("Index(%q) = %d, %v, want %d", c.wnid, got, ok, c.i)
		}
	}
	if Name(-1) != "" || Name(NumClasses) != "" || WNID(NumClasses) != "" {
		t.Error("out-of-range index gave a name")
	}
	if _, ok := Index("n00000000"); ok {
		t.Error("unknown wnid found")
	}
}

// torchvision indexes ImageNet classes by sorted wnid.
func TestSortedAndComplete(t *testing.T) {
	if len(Names()) != NumClasses {
		t.Fatalf("%d names", len(Names()))
	}
	w := make([]string, NumClasses)
	for i := range w {
		w[i] = WNID(i)
	}
	if !sort.StringsAreSorted(w) {
		t.Error("wnids not in sorted order")
	}
	if len(byWNID) != NumClasses {
		t.Errorf("%d distinct wnids", len(byWNID))
	}
}

// Every Tiny ImageNet class is an ImageNet-1k class.
func TestTinyImageNetMaps(t *testing.T) {
	n := 0
	for _, w := range testutil.ReadLines(t, testutil.SharedData(t, "tiny-imagenet-200", "wnids.txt")) {
		if _, ok := Index(w); !ok {
			t.Errorf("tiny imagenet wnid %s not in ImageNet-1k", w)
		}
		n++
	}
	if n != 200 {
		t.Errorf("%d tiny imagenet classes", n)
	}
}
