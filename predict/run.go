package predict

import (
	"context"
	"runtime"
	"sync"
	"time"

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
	// OnForward, when set, is called after each forward pass with its
	// rows (the images it classified; ten per image with TenCrop) and
	// how long it took, on the goroutine that calls emit (for metrics;
	// it must not block).
	OnForward func(rows int, d time.Duration)
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
	slots := make(chan chan job, 2*batch)
	todo := make(chan task)
	var wg sync.WaitGroup
	p.startWorkers(&wg, todo, workers, opt.TenCrop)
	var srcErr error // written before slots is closed
	go func() {
		defer close(slots)
		defer close(todo)
		srcErr = feed(ctx, src, slots, todo)
	}()
	// On any return: stop the producer, then let the workers drain.
	defer func() {
		cancel()
		wg.Wait()
	}()
	b := &batcher{p: p, ctx: ctx, batch: batch, tenCrop: opt.TenCrop, emit: emit, onForward: opt.OnForward}
	if err := b.collect(slots); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if srcErr != nil {
		return srcErr
	}
	return b.flush()
}

// task is one input on its way to a decoding worker, with the slot its
// job goes back on.
type task struct {
	in Input
	ch chan job
}

// startWorkers starts n goroutines that decode and preprocess the inputs
// of todo until it is closed, each answering on its task's slot.
func (p *Predictor) startWorkers(wg *sync.WaitGroup, todo <-chan task, n int, tenCrop bool) {
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range todo {
				j := job{in: t.in, e: t.in.Err}
				if j.e == nil {
					j.xs, j.e = p.prepare(t.in, tenCrop)
				}
				t.ch <- j
			}
		}()
	}
}

// feed runs src, queueing each input's slot on slots (in input order)
// and the input itself on todo, until src ends or ctx does.
func feed(ctx context.Context, src Source, slots chan<- chan job, todo chan<- task) error {
	return src(ctx, func(in Input) error {
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
}

// batcher gathers decoded jobs in input order and runs a forward pass
// each time batch of them are ready.
type batcher struct {
	p         *Predictor
	ctx       context.Context
	batch     int
	tenCrop   bool
	emit      func(Result) error
	onForward func(rows int, d time.Duration) // RunOptions.OnForward
	index     int                             // the stream position of pending[0]
	pending   []job                           // jobs not yet emitted, failed ones included
}

// collect takes each slot's job in order, flushing every batch ready
// jobs, until slots is closed.
func (b *batcher) collect(slots <-chan chan job) error {
	ready := 0
	for ch := range slots {
		var j job
		select {
		case j = <-ch:
		case <-b.ctx.Done():
			return b.ctx.Err()
		}
		b.pending = append(b.pending, j)
		if j.e == nil {
			ready++
		}
		if ready == b.batch {
			if err := b.flush(); err != nil {
				return err
			}
			ready = 0
		}
	}
	return nil
}

// flush runs the pending jobs' tensors through the model in one forward
// pass and emits a Result for every pending job, in order.
func (b *batcher) flush() error {
	if len(b.pending) == 0 {
		return nil
	}
	logits, err := b.forward()
	if err != nil {
		return err
	}
	r := 0
	for _, j := range b.pending {
		res := Result{File: j.in.Name, Index: b.index, Label: j.in.Label, Data: j.in.Data, Err: j.e}
		b.index++
		if j.e == nil {
			if b.tenCrop {
				res.Probs = meanSoftmax(logits, r, len(j.xs))
			} else {
				res.Logits = logits.Row(r).Data
			}
			r += len(j.xs)
		}
		if err := b.emit(res); err != nil {
			return err
		}
	}
	b.pending = b.pending[:0]
	return nil
}

// forward stacks the input tensors of the pending jobs that decoded and
// returns the model's logits for them, one row per tensor; nil when none
// did.
func (b *batcher) forward() (*tensor.Tensor, error) {
	var xs []*tensor.Tensor
	for _, j := range b.pending {
		if j.e == nil {
			xs = append(xs, j.xs...)
		}
	}
	if len(xs) == 0 {
		return nil, nil
	}
	x, err := tensor.Stack(xs)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	logits, err := b.p.Forward(b.ctx, x)
	if err == nil && b.onForward != nil {
		b.onForward(len(xs), time.Since(start))
	}
	return logits, err
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
