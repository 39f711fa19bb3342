package imagenet

import (
	"bufio"
	"os"
	"path/filepath"
	"sort"
	"testing"
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
	path := filepath.Join("..", "..", "shared", "data", "tiny-imagenet-200", "wnids.txt")
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("shared data absent (%v)", err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	n := 0
	for s.Scan() {
		if _, ok := Index(s.Text()); !ok {
			t.Errorf("tiny imagenet wnid %s not in ImageNet-1k", s.Text())
		}
		n++
	}
	if n != 200 {
		t.Errorf("%d tiny imagenet classes", n)
	}
}
