package eval

import (
	"math"
	"slices"
	"testing"

	"github.com/alexnet-go/alexnet/imagenet"
)

// Rank is the top-k by definition: highest first, ties to the lower index,
// and with allowed only those indices compete.
func TestRank(t *testing.T) {
	scores := []float32{0.1, 0.5, 0.3, 0.5, 0.9, -1, 0.3}
	if got, want := Rank(scores, 5, nil), []int{4, 1, 3, 2, 6}; !slices.Equal(got, want) {
		t.Errorf("Rank = %v, want %v", got, want)
	}
	if got, want := Rank(scores, 5, []int{0, 5, 6}), []int{6, 0, 5}; !slices.Equal(got, want) {
		t.Errorf("restricted Rank = %v, want %v", got, want)
	}
	if got := Rank(scores, 0, nil); len(got) != 0 {
		t.Errorf("k=0: %v", got)
	}
}

// Goldfish's wnid maps to 1; a folder name maps nowhere and is reported;
// Select takes ids, wnids and ImageNet names.
func TestMapClasses(t *testing.T) {
	m := MapClasses([]string{"n01443537", "n01440764", "cats", "n99999999"})
	if !slices.Equal(m.ImageNet, []int{1, 0, -1, -1}) {
		t.Errorf("ImageNet = %v", m.ImageNet)
	}
	if got := m.Unmapped(); !slices.Equal(got, []string{"cats", "n99999999"}) {
		t.Errorf("Unmapped = %v", got)
	}
	if got := m.Mapped(); !slices.Equal(got, []int{0, 1}) {
		t.Errorf("Mapped = %v", got)
	}
	sel, err := m.Select([]string{"goldfish", "cats"})
	if err != nil || len(sel) != 2 || !sel[0] || !sel[2] {
		t.Errorf("Select(goldfish, cats) = %v, %v", sel, err)
	}
	if sel, err := m.Select([]string{"n01440764"}); err != nil || len(sel) != 1 || !sel[1] {
		t.Errorf("Select(tench wnid) = %v, %v", sel, err)
	}
	if _, err := m.Select([]string{"dogs"}); err == nil {
		t.Error("Select(dogs) accepted a class not in the data set")
	}
	if sel, _ := m.Select(nil); sel != nil {
		t.Error("no names should select everything (nil)")
	}
}

// Hand-built predictions, scored by the definitions: top-1 when the
// label's index is first, top-5 when it is among the first five; samples
// of unmapped classes are not scored.
func TestTally(t *testing.T) {
	// classes: 0 goldfish (1), 1 tench (0), 2 unmapped
	m := MapClasses([]string{imagenet.WNID(1), imagenet.WNID(0), "cats"})
	tl := NewTally(m)
	cases := []struct {
		label int
		top   []int
	}{
		{0, []int{1, 2, 3, 4, 5}},    // goldfish top-1
		{0, []int{7, 1, 3, 4, 5}},    // goldfish top-5 only, confused with 7
		{0, []int{7, 2, 3, 4, 1}},    // goldfish top-5 (5th), confused with 7
		{0, []int{9, 2, 3, 4, 5}},    // goldfish miss, confused with 9
		{1, []int{0, 1, 2, 3, 4}},    // tench top-1
		{1, []int{1, 2, 3, 4, 5, 0}}, // tench: 6th does not count
	}
	for _, c := range cases {
		if !tl.Add(c.label, c.top) {
			t.Fatalf("Add(%d) not scored", c.label)
		}
	}
	if tl.Add(2, []int{0, 1, 2, 3, 4}) {
		t.Error("unmapped class scored")
	}
	if tl.Scored != 6 || tl.Top1Correct != 2 || tl.Top5Correct != 4 {
		t.Errorf("scored %d top1 %d top5 %d, want 6 2 4", tl.Scored, tl.Top1Correct, tl.Top5Correct)
	}
	if math.Abs(tl.Top1()-2.0/6) > 1e-15 || math.Abs(tl.Top5()-4.0/6) > 1e-15 {
		t.Errorf("Top1 %v Top5 %v", tl.Top1(), tl.Top5())
	}
	pc := tl.PerClass()
	if len(pc) != 2 || pc[0].ImageNetIndex != 1 || pc[0].Name != "goldfish" || pc[0].Images != 4 ||
		pc[0].Top1 != 0.25 || pc[0].Top5 != 0.75 || pc[1].Images != 2 || pc[1].Top1 != 0.5 || pc[1].Top5 != 0.5 {
		t.Errorf("PerClass = %+v", pc)
	}
	cf := tl.Confusions(-1)
	if len(cf) != 3 || cf[0].PredIndex != 7 || cf[0].Count != 2 || cf[0].TrueIndex != 1 ||
		cf[1].PredIndex != 9 || cf[2].TrueIndex != 0 || cf[2].PredIndex != 1 {
		for _, c := range cf {
			t.Logf("%+v", *c)
		}
		t.Error("confusions wrong")
	}
	worst, best := WorstBest(pc, 1)
	if worst[0].ImageNetIndex != 1 || best[0].ImageNetIndex != 0 {
		t.Errorf("worst %v best %v", worst, best)
	}
}
