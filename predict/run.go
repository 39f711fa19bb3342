package predict

import (
	"context"
	"runtime"
	"sync"

	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/tensor"
)

// Result is the answer for one input: its logits (or, with TenCrop, its
// averaged probabilities), or the error that kept it from being classified
// (a bad input does not stop the others).
type Result struct {
	File   string    // the input's name (Input.Name; the path for Run)
	Index  int       // the input's position in the stream, from 0
	Label  int       // Input.Label, carried through unchanged
	Data   []byte    // Input.Data, carried through unchanged (nil for files)
	Logits []float32 // the model's logits; nil with TenCrop
	Probs  []float32 // with TenCrop: the mean of the ten crops' softmaxes
	Err    error
}

// Input is one image to classify: an encoded image in Data, or the file
// at Path when Path is set. An Input that arrives with Err set (the
// caller could not read it) is passed through to its Result unclassified.
type Input struct {
	Name  string // names the input in Result.File and in decoding errors
	Path  string // read and decode this file; "" means decode Data
	Data  []byte // the encoded image (JPEG, PNG, ...) when Path is ""
	Label int    // the caller's own tag (a class label), carried to the Result
	Err   error  // a read error already met; the input is not decoded
}

// Source produces a stream of inputs in order, calling yield once for
// each. It must stop and return yield's error when yield fails; it
// returns nil after the last input.
type Source func(ctx context.Context, yield func(Input) error) error

// Files is the Source of the named files, in order.
func Files(files []string) Source {
	return func(ctx context.Context, yield func(Input) error) error {
		for _, f := range files {
			if err := yield(Input{Name: f, Path: f}); err != nil {
				return err
			}
		}
		return nil
	}
}

// RunOptions tune Run. The zero value means batch 8, one decoding worker
// per CPU and the centre crop.
type RunOptions struct {
	Batch   int  // images per forward pass (with TenCrop, 10× as many rows)
	Workers int  // decoding goroutines
	TenCrop bool // test-time augmentation: see imageproc.TenCrop
}

type job struct {
	in Input
	xs []*tensor.Tensor // the image's input tensors: 1, or 10 with TenCrop
	e  error
}

// Run classifies files in batches and calls emit once per file, in input
// order. It is RunSource on Files(files).
func (p *Predictor) Run(ctx context.Context, files []string, opt RunOptions, emit func(Result) error) error {
	return p.RunSource(ctx, Files(files), opt, emit)
}

// RunSource classifies the inputs of src in batches and calls emit once
// per input, in input order. src runs on its own goroutine; decoding and
// preprocessing run on opt.Workers goroutines ahead of the forward passes,
// bounded so that at most 2*batch inputs are in flight and memory stays
// O(batch). RunSource stops at the first error returned by emit, by src
// or by the model, or when ctx ends.
func (p *Predictor) RunSource(ctx context.Context, src Source, opt RunOptions, emit func(Result) error) error {
	batch := opt.Batch
	if batch <= 0 {
		batch = 8
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	ctx, cancel := context.WithCancel(ctx)
	// Each input gets a slot channel so results can be consumed in order
	// while up to 2*batch inputs are being decoded ahead.
	type task struct {
		in Input
		ch chan job
	}
	slots := make(chan chan job, 2*batch)
	todo := make(chan task)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range todo {
				j := job{in: t.in, e: t.in.Err}
				if j.e == nil {
					j.xs, j.e = p.prepare(t.in, opt.TenCrop)
				}
				t.ch <- j
			}
		}()
	}
	var srcErr error // written before slots is closed
	go func() {
		defer close(slots)
		defer close(todo)
		srcErr = src(ctx, func(in Input) error {
			ch := make(chan job, 1)
			select {
			case slots <- ch:
			case <-ctx.Done():
				return ctx.Err()
			}
			select {
			case todo <- task{in, ch}:
			case <-ctx.Done():
				return ctx.Err()
			}
			return nil
		})
	}()
	// On any return: stop the producer, then let the workers drain.
	defer func() {
		cancel()
		wg.Wait()
	}()
	index := 0
	var pending []job
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		var xs []*tensor.Tensor
		for _, j := range pending {
			if j.e == nil {
				xs = append(xs, j.xs...)
			}
		}
		var logits *tensor.Tensor
		if len(xs) > 0 {
			x, err := tensor.Stack(xs)
			if err != nil {
				return err
			}
			if logits, err = p.Forward(ctx, x); err != nil {
				return err
			}
		}
		r := 0
		for _, j := range pending {
			res := Result{File: j.in.Name, Index: index, Label: j.in.Label, Data: j.in.Data, Err: j.e}
			index++
			if j.e == nil {
				if opt.TenCrop {
					res.Probs = meanSoftmax(logits, r, len(j.xs))
				} else {
					res.Logits = logits.Row(r).Data
				}
				r += len(j.xs)
			}
			if err := emit(res); err != nil {
				return err
			}
		}
		pending = pending[:0]
		return nil
	}
	ready := 0
	for ch := range slots {
		var j job
		select {
		case j = <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
		pending = append(pending, j)
		if j.e == nil {
			ready++
		}
		if ready == batch {
			if err := flush(); err != nil {
				return err
			}
			ready = 0
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if srcErr != nil {
		return srcErr
	}
	return flush()
}

// meanSoftmax returns the mean over rows r..r+n-1 of logits of each row's
// softmax, as torch.softmax(logits, 1).mean(0) (summed in float64).
func meanSoftmax(logits *tensor.Tensor, r, n int) []float32 {
	cols := len(logits.Row(r).Data)
	p := make([]float32, n*cols)
	kernels.Softmax(n, cols, logits.Data[r*cols:(r+n)*cols], p)
	sum := make([]float64, cols)
	for i := range n {
		for c, v := range p[i*cols : (i+1)*cols] {
			sum[c] += float64(v)
		}
	}
	out := make([]float32, cols)
	for c, s := range sum {
		out[c] = float32(s / float64(n))
	}
	return out
}
