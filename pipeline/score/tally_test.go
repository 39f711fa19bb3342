package score

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/alexnet-go/alexnet/eval"
)

// Tallies of any partition of the outcomes, merged in any order, give
// the summary of one tally of them all, and it counts as eval.Tally does.
func TestTallyMerges(t *testing.T) {
	classes := []string{"n01443537", "n01629819", "x-not-imagenet", "n01641577"}
	labels := eval.MapClasses(classes)
	rng := rand.New(rand.NewPCG(1, 1))
	var outcomes []Outcome
	want := eval.NewTally(labels)
	unmapped := 0
	for i := range 500 {
		o := Outcome{Index: int64(i), Label: rng.IntN(len(classes)+1) - 1, Name: "f"}
		if rng.IntN(20) == 0 {
			o.Error = "bad"
		} else {
			for range 5 {
				o.Top = append(o.Top, []int{1, 25, 27, 2, 3, 4}[rng.IntN(6)])
			}
			if o.Label >= 0 && !want.Add(o.Label, o.Top) {
				unmapped++
			}
		}
		outcomes = append(outcomes, o)
	}
	fn := &TallyFn{Classes: classes}
	one := fn.CreateAccumulator()
	for _, o := range outcomes {
		one = fn.AddInput(one, o)
	}
	parts := []Tally{fn.CreateAccumulator(), fn.CreateAccumulator(), fn.CreateAccumulator()}
	for _, i := range rng.Perm(len(outcomes)) {
		k := rng.IntN(3)
		parts[k] = fn.AddInput(parts[k], outcomes[i])
	}
	merged := fn.MergeAccumulators(fn.MergeAccumulators(parts[2], parts[0]), parts[1])
	var a, b eval.Summary
	Summary(&a, fn.ExtractOutput(one), classes)
	Summary(&b, fn.ExtractOutput(merged), classes)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("merged summary differs:\n%+v\n%+v", a, b)
	}
	if a.Scored != want.Scored || a.Top1Correct != want.Top1Correct || a.Top5Correct != want.Top5Correct ||
		!reflect.DeepEqual(a.PerClass, want.PerClass()) || a.Unmapped != unmapped {
		t.Errorf("summary %d/%d/%d, eval.Tally %d/%d/%d", a.Scored, a.Top1Correct, a.Top5Correct, want.Scored, want.Top1Correct, want.Top5Correct)
	}
	wc := want.Confusions(confusions)
	if len(a.Confusions) != len(wc) {
		t.Fatalf("%d confusions, want %d", len(a.Confusions), len(wc))
	}
	for i := range wc {
		if !reflect.DeepEqual(a.Confusions[i], wc[i]) {
			t.Errorf("confusion %d: %+v, want %+v", i, *a.Confusions[i], *wc[i])
		}
	}
}
