package dataset

import (
	"context"
	"slices"
	"testing"
)

// eachOnly hides Memory's At, so Evenly takes the Each path.
type eachOnly struct{ Dataset }

// Evenly takes every Len/n-th sample, through At or through Each alike,
// and all of them when n ≥ Len.
func TestEvenly(t *testing.T) {
	m := &Memory{}
	for i := range 10 {
		m.Samples = append(m.Samples, Sample{Index: i})
	}
	for _, ds := range []Dataset{m, eachOnly{m}} {
		for n, want := range map[int][]int{3: {0, 3, 6}, 4: {0, 2, 4, 6}, 10: {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 20: {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 0: nil} {
			got, err := Evenly(context.Background(), ds, n)
			if err != nil {
				t.Fatal(err)
			}
			var idx []int
			for _, s := range got {
				idx = append(idx, s.Index)
			}
			if !slices.Equal(idx, want) {
				t.Errorf("%T n=%d: %v, want %v", ds, n, idx, want)
			}
		}
	}
}
