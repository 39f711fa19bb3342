package read

import (
	"context"
	"fmt"
	"reflect"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/alexnet-go/alexnet/dataset"
	"github.com/alexnet-go/alexnet/pipeline/elem"
)

func init() {
	beam.RegisterType(reflect.TypeOf((*Range)(nil)).Elem())
	register.DoFn4x0[context.Context, Range, func(elem.Image), func(elem.Failure)](&readIndexedFn{})
}

// Range is the samples [Lo, Hi) of an indexed data set.
type Range struct{ Lo, Hi int }

// rangeSize is how many samples one element of Indexed reads.
const rangeSize = 64

// Ranges splits [0, n) into ranges of at most size samples.
func Ranges(n, size int) []Range {
	var out []Range
	for lo := 0; lo < n; lo += size {
		out = append(out, Range{lo, min(lo+size, n)})
	}
	return out
}

// Indexed returns the n images of the data set that spec names
// (dataset.Open with split), read by index in ranges on the workers,
// and the dead letters of the files that cannot be read. The data set
// must be a dataset.Indexed (a folder layout) at the same path on every
// worker; Open checks it.
func Indexed(s beam.Scope, spec, split string, n int) (images, failures beam.PCollection) {
	s = s.Scope("read.Indexed")
	ranges := beam.CreateList(s, Ranges(n, rangeSize))
	ranges = beam.Reshuffle(s, ranges)
	return beam.ParDo2(s, &readIndexedFn{Spec: spec, Split: split}, ranges)
}

// OpenIndexed opens the data set spec names and checks that it can be
// read by index.
func OpenIndexed(ctx context.Context, spec, split string) (dataset.Indexed, error) {
	ds, err := dataset.Open(ctx, spec, &dataset.Options{Split: split, Offline: true})
	if err != nil {
		return nil, err
	}
	ix, ok := ds.(dataset.Indexed)
	if !ok {
		return nil, fmt.Errorf("read %s: not a folder data set that can be read by index", spec)
	}
	return ix, nil
}

// readIndexedFn reads the samples of a range of an indexed data set.
type readIndexedFn struct {
	Spec, Split string

	ds dataset.Indexed
}

func (fn *readIndexedFn) Setup(ctx context.Context) error {
	var err error
	fn.ds, err = OpenIndexed(ctx, fn.Spec, fn.Split)
	return err
}

func (fn *readIndexedFn) ProcessElement(ctx context.Context, r Range, emit func(elem.Image), fail func(elem.Failure)) {
	for i := r.Lo; i < r.Hi; i++ {
		emitSample(ctx, fn.ds.At(i), emit, fail)
	}
}
