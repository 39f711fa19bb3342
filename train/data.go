package train

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/alexnet-go/alexnet/dataset"
	"github.com/alexnet-go/alexnet/imageproc"
	"github.com/alexnet-go/alexnet/tensor"
)

// Samples is a labelled data set read in any order: a dataset.Indexed,
// or the encoded images of any dataset.Dataset held in memory (Buffer).
// Index lists the data set's samples in use (a subset); nil means all.
type Samples struct {
	Set     dataset.Indexed
	Index   []int
	Classes []string
	// Relabel, when set, maps the data set's labels to the model's
	// classes (MatchClasses).
	Relabel []int
}

// MatchClasses relabels s (a validation set) to the classes of the
// training set, matched by name: each of s's classes must be one of them.
func (s *Samples) MatchClasses(classes []string) error {
	if slices.Equal(s.Classes, classes) {
		return nil
	}
	index := map[string]int{}
	for i, c := range classes {
		index[c] = i
	}
	s.Relabel = make([]int, len(s.Classes))
	for i, c := range s.Classes {
		j, ok := index[c]
		if !ok {
			return fmt.Errorf("train: validation class %q is not a training class", c)
		}
		s.Relabel[i] = j
	}
	s.Classes = classes
	return nil
}

// label returns data set sample id's label in the model's classes.
func (s *Samples) label(id int) int {
	l := s.Set.LabelAt(id)
	if s.Relabel != nil && l >= 0 && l < len(s.Relabel) {
		return s.Relabel[l]
	}
	return l
}

// NewSamples returns the samples of ds: ds itself when it is a
// dataset.Indexed, else its encoded images read once into memory.
func NewSamples(ctx context.Context, ds dataset.Dataset) (*Samples, error) {
	if ix, ok := ds.(dataset.Indexed); ok {
		return &Samples{Set: ix, Classes: ds.Classes()}, nil
	}
	m := &dataset.Memory{Title: ds.Name(), ClassNames: ds.Classes()}
	err := ds.Each(ctx, func(s dataset.Sample) error {
		if s.Err != nil {
			return s.Err
		}
		m.Samples = append(m.Samples, s)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("train: reading %s: %w", ds.Name(), err)
	}
	return &Samples{Set: m, Classes: ds.Classes()}, nil
}

// Len is the number of samples in use.
func (s *Samples) Len() int {
	if s.Index != nil {
		return len(s.Index)
	}
	return s.Set.Len()
}

func (s *Samples) id(i int) int {
	if s.Index != nil {
		return s.Index[i]
	}
	return i
}

// Subset keeps n samples chosen at random (from seed) when n is below Len,
// in the data set's order.
func (s *Samples) Subset(n int, seed uint64) {
	if n <= 0 || n >= s.Len() {
		return
	}
	rng := rand.New(rand.NewPCG(seed, 0x50b5e7))
	perm := rng.Perm(s.Len())[:n]
	keep := make([]bool, s.Len())
	for _, i := range perm {
		keep[i] = true
	}
	var idx []int
	for i, k := range keep {
		if k {
			idx = append(idx, s.id(i))
		}
	}
	s.Index = idx
}

// Batch is one mini-batch: X (N,3,S,S) and the labels.
type Batch struct {
	Step   int // index of the batch within its epoch
	X      *tensor.Tensor
	Labels []int
	Err    error
}

// EpochOrder returns the sample order of an epoch: a permutation of
// [0, n) drawn from (seed, epoch) alone, or the identity when shuffle is
// false.
func EpochOrder(n int, seed uint64, epoch int, shuffle bool) []int {
	if !shuffle {
		order := make([]int, n)
		for i := range order {
			order[i] = i
		}
		return order
	}
	return rand.New(rand.NewPCG(mix(seed, 0x0ede), uint64(epoch))).Perm(n)
}

// Load streams the batches of one epoch of s from batch first on: the
// samples in order, batch at a time (the last one may be short), decoded
// and transformed by workers goroutines. Data set sample i gets the
// generator SampleRand(seed, epoch, i) for aug; with aug nil each image
// gets eval. The batches are identical whatever the worker count or
// scheduling. The channel closes after the last batch, after a batch with
// Err set (a sample that could not be read or decoded), or when ctx ends.
func Load(ctx context.Context, s *Samples, order []int, batch, first int, seed uint64, epoch int,
	aug *Augment, eval *imageproc.Options, workers int) <-chan Batch {
	out := make(chan Batch, 1)
	workers = max(workers, 1)
	go func() {
		defer close(out)
		for b := first; b*batch < len(order); b++ {
			lo, hi := b*batch, min((b+1)*batch, len(order))
			bt := makeBatch(s, order[lo:hi], seed, epoch, aug, eval, workers)
			bt.Step = b
			select {
			case out <- bt:
			case <-ctx.Done():
				return
			}
			if bt.Err != nil {
				return
			}
		}
	}()
	return out
}

func makeBatch(s *Samples, idx []int, seed uint64, epoch int, aug *Augment, eval *imageproc.Options, workers int) Batch {
	xs := make([]*tensor.Tensor, len(idx))
	labels := make([]int, len(idx))
	errs := make([]error, len(idx))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, len(idx)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1) - 1)
				if k >= len(idx) {
					return
				}
				id := s.id(idx[k])
				labels[k] = s.label(id)
				xs[k], errs[k] = prepare(s.Set.At(id), seed, epoch, id, aug, eval)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return Batch{Err: err}
		}
	}
	x, err := tensor.Stack(xs)
	return Batch{X: x, Labels: labels, Err: err}
}

func prepare(smp dataset.Sample, seed uint64, epoch, id int, aug *Augment, eval *imageproc.Options) (*tensor.Tensor, error) {
	if smp.Err != nil {
		return nil, smp.Err
	}
	img, err := imageproc.DecodeBytes(smp.Data, smp.Name)
	if err != nil {
		return nil, err
	}
	if aug == nil {
		x, err := imageproc.Preprocess(img, eval)
		return x, imageproc.WithName(err, smp.Name)
	}
	if x := aug.Apply(img, SampleRand(seed, epoch, id)); x != nil {
		return x, nil
	}
	return nil, imageproc.WithName(imageproc.ErrNoPixels, smp.Name)
}
