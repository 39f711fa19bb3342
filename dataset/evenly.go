package dataset

import (
	"context"
	"errors"
)

// errHaveEnough stops Each once Evenly has its samples.
var errHaveEnough = errors.New("dataset: enough samples")

// Evenly returns at most n samples of ds spread evenly over its order:
// every step-th, step = max(1, Len/n), from the first. It reads them with
// At when ds is Indexed, else in one pass of Each. A sample that cannot
// be read comes back with its Err set, as Each gives it.
func Evenly(ctx context.Context, ds Dataset, n int) ([]Sample, error) {
	if n <= 0 {
		return nil, nil
	}
	step := max(1, ds.Len()/n)
	var out []Sample
	if ix, ok := ds.(Indexed); ok {
		for i := 0; i < ix.Len() && len(out) < n; i += step {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			out = append(out, ix.At(i))
		}
		return out, nil
	}
	k := 0
	err := ds.Each(ctx, func(s Sample) error {
		if k%step == 0 {
			out = append(out, s)
		}
		k++
		if len(out) == n {
			return errHaveEnough
		}
		return nil
	})
	if err != nil && !errors.Is(err, errHaveEnough) {
		return nil, err
	}
	return out, nil
}
