package predict

import (
	"context"
	"runtime"
	"sync"

	"github.com/alexnet-go/alexnet/tensor"
)

// Result is the answer for one input file: its logits, or the error that
// kept it from being classified (a bad file does not stop the others).
type Result struct {
	File   string
	Logits []float32
	Err    error
}

// RunOptions tune Run. The zero value means batch 8 and one decoding worker
// per CPU.
type RunOptions struct {
	Batch   int // images per forward pass
	Workers int // decoding goroutines
}

type job struct {
	i int
	x *tensor.Tensor
	e error
}

// Run classifies files in batches and calls emit once per file, in input
// order. Decoding and preprocessing run on opt.Workers goroutines ahead of
// the forward passes, bounded so that memory stays O(batch). Run stops at
// the first error returned by emit or by the model, or when ctx ends.
func (p *Predictor) Run(ctx context.Context, files []string, opt RunOptions, emit func(Result) error) error {
	batch := opt.Batch
	if batch <= 0 {
		batch = 8
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	ctx, cancel := context.WithCancel(ctx)

	// Each file gets a slot channel so results can be consumed in order
	// while up to 2*batch files are being decoded ahead.
	slots := make(chan chan job, 2*batch)
	todo := make(chan struct {
		i  int
		ch chan job
	})
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range todo {
				x, err := p.Preprocess(files[t.i])
				t.ch <- job{i: t.i, x: x, e: err}
			}
		}()
	}
	go func() {
		defer close(slots)
		defer close(todo)
		for i := range files {
			ch := make(chan job, 1)
			select {
			case slots <- ch:
			case <-ctx.Done():
				return
			}
			select {
			case todo <- struct {
				i  int
				ch chan job
			}{i, ch}:
			case <-ctx.Done():
				return
			}
		}
	}()
	// On any return: stop the producer, then let the workers drain.
	defer func() {
		cancel()
		wg.Wait()
	}()

	var pending []job
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		var xs []*tensor.Tensor
		for _, j := range pending {
			if j.e == nil {
				xs = append(xs, j.x)
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
			res := Result{File: files[j.i], Err: j.e}
			if j.e == nil {
				res.Logits = logits.Row(r).Data
				r++
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
	return flush()
}
