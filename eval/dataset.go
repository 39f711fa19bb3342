package eval

import "context"

// Sample is one labelled image of a data set. It has the fields of
// dataset.Sample, in the same order, so that a dataset.Sample converts to
// it: eval.Sample(s).
type Sample struct {
	Index int    // position in the data set's order
	Name  string // file path or other name of the sample
	Label int    // index into Classes(); -1 when the sample has no label
	Data  []byte // the encoded image, nil when Err is set
	Err   error  // reading this sample failed: counted and listed, not fatal
}

// Dataset is what Run reads: the shape of dataset.Dataset over Sample.
// Funcs adapts a data set whose Each takes another sample type.
type Dataset interface {
	Name() string
	Classes() []string // class ids: wnids where known, else folder names
	Len() int
	Each(ctx context.Context, fn func(Sample) error) error
}

// Funcs is a Dataset made of functions, for adapting another package's
// data set type without importing it here.
type Funcs struct {
	NameFunc    func() string
	ClassesFunc func() []string
	LenFunc     func() int
	EachFunc    func(ctx context.Context, fn func(Sample) error) error
}

// Name calls NameFunc.
func (f Funcs) Name() string { return f.NameFunc() }

// Classes calls ClassesFunc.
func (f Funcs) Classes() []string { return f.ClassesFunc() }

// Len calls LenFunc.
func (f Funcs) Len() int { return f.LenFunc() }

// Each calls EachFunc.
func (f Funcs) Each(ctx context.Context, fn func(Sample) error) error { return f.EachFunc(ctx, fn) }
