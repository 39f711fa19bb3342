package dataset

import "context"

// fileSet is a data set of image files, one per sample, read in order.
type fileSet struct {
	name    string
	classes []string
	paths   []string
	labels  []int // -1 for none
}

func (d *fileSet) Name() string      { return d.name }
func (d *fileSet) Classes() []string { return append([]string(nil), d.classes...) }
func (d *fileSet) Len() int          { return len(d.paths) }

// Each reads each file whole and passes it to fn; a file that cannot be
// read gives a sample with Err set.
func (d *fileSet) Each(ctx context.Context, fn func(Sample) error) error {
	for i := range d.paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(d.At(i)); err != nil {
			return err
		}
	}
	return nil
}
