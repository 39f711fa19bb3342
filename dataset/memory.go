package dataset

import "context"

// Memory is an Indexed data set held in memory: Samples in order, each
// with its encoded image (or its Err). Training reads a data set that
// cannot be indexed (parquet) into one; tests build them by hand.
type Memory struct {
	Title      string   // Name's value
	ClassNames []string // Classes' value
	Samples    []Sample
}

// Name implements Dataset.
func (m *Memory) Name() string { return m.Title }

// Classes implements Dataset.
func (m *Memory) Classes() []string { return m.ClassNames }

// Len implements Dataset.
func (m *Memory) Len() int { return len(m.Samples) }

// LabelAt implements Indexed.
func (m *Memory) LabelAt(i int) int { return m.Samples[i].Label }

// At implements Indexed.
func (m *Memory) At(i int) Sample { return m.Samples[i] }

// Each implements Dataset: the samples in order, stopping at fn's first
// error or when ctx ends.
func (m *Memory) Each(ctx context.Context, fn func(Sample) error) error {
	for _, s := range m.Samples {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(s); err != nil {
			return err
		}
	}
	return nil
}
