package infer

import (
	"context"
	"fmt"
	"sync"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/alexnet-go/alexnet/pipeline/elem"
	"github.com/alexnet-go/alexnet/predict"
)

func init() {
	register.DoFn4x1[context.Context, elem.Image, func(elem.Scores), func(elem.Failure), error](&ForwardFn{})
	register.Emitter1[elem.Scores]()
	register.Emitter1[elem.Failure]()
}

// ForwardFn classifies images in batches: its main output is each
// image's scores (elem.Scores), its second the dead letters of the
// images that do not decode. Its exported fields are its configuration,
// serialized with the pipeline. An instance runs one bundle at a time,
// as Beam calls it.
//
// Every image is classified in a forward pass of exactly Batch images,
// as `alexnet classify` runs all but its last few: the last batch of a
// bundle is filled up with padding images whose results are dropped.
// The logits of the full-size models depend on the batch size in their
// last bits (the kernels split the work by it) but not on the other
// images of the batch, so an image gets the same answer whatever bundle
// a runner puts it in and whatever shares its batch.
type ForwardFn struct {
	Model   Model
	Batch   int  // images per forward pass; <= 0 means 8, as `alexnet classify`
	Workers int  // decoding goroutines; <= 0 means one per CPU
	TenCrop bool // scores are the mean of torchvision's ten crops' probabilities

	// PanicOnce is a test hook: the first time this process meets the
	// image of that name, ProcessElement panics, as a worker that
	// crashes would fail its bundle. The retry (the runner's, or the
	// job's on prism) then classifies it.
	PanicOnce string

	p *predict.Predictor
	b *bundle
}

// bundle is the forward passes of one bundle: RunSource on its own
// goroutine, fed by ProcessElement through in.
type bundle struct {
	in     chan predict.Input
	done   chan error // RunSource's error, once it returns
	cancel context.CancelFunc
	fwd    forwardTime

	mu    sync.Mutex
	pos   int              // stream position of the next input
	index map[int]int64    // elem.Image.Index by stream position, until emitted
	ready []predict.Result // results not yet emitted (Data dropped, scores copied)
}

// Setup loads the model once per process (Load) and takes a replica of
// it for this instance's forward passes.
func (fn *ForwardFn) Setup(ctx context.Context) error {
	p, err := Load(ctx, fn.Model)
	if err != nil {
		return err
	}
	fn.p, err = p.Replica()
	return err
}

// StartBundle starts the bundle's forward passes. (Beam wants the
// emitters of ProcessElement here too; nothing is emitted yet.)
func (fn *ForwardFn) StartBundle(ctx context.Context, _ func(elem.Scores), _ func(elem.Failure)) {
	bctx, cancel := context.WithCancel(context.Background())
	b := &bundle{in: make(chan predict.Input, max(fn.Batch, 8)), done: make(chan error, 1),
		cancel: cancel, index: map[int]int64{}}
	opt := predict.RunOptions{Batch: fn.Batch, Workers: fn.Workers, TenCrop: fn.TenCrop, OnForward: b.fwd.add}
	go func() { b.done <- fn.p.RunSource(bctx, b.source, opt, b.collect) }()
	fn.b = b
}

// ProcessElement queues img for the bundle's forward passes and emits
// the results that are ready, of this image or earlier ones.
func (fn *ForwardFn) ProcessElement(ctx context.Context, img elem.Image, emit func(elem.Scores), fail func(elem.Failure)) error {
	b := fn.b
	fn.fault(img.Name)
	b.mu.Lock()
	b.index[b.pos] = img.Index
	b.pos++
	b.mu.Unlock()
	select {
	case b.in <- predict.Input{Name: img.Name, Data: img.Data, Label: img.Label}:
	case err := <-b.done: // RunSource stopped before the end of its input
		return fmt.Errorf("forward: %w", err)
	}
	b.drain(ctx, emit, fail)
	return nil
}

// batch is the batch size RunSource uses.
func (fn *ForwardFn) batch() int {
	if fn.Batch <= 0 {
		return 8
	}
	return fn.Batch
}

// FinishBundle runs the last batch, filled up with padding images
// (Pad), and emits every result left.
func (fn *ForwardFn) FinishBundle(ctx context.Context, emit func(elem.Scores), fail func(elem.Failure)) error {
	b := fn.b
	fn.b = nil
	if err := b.pad(fn.batch() - 1); err != nil {
		return fmt.Errorf("forward: %w", err)
	}
	close(b.in)
	err := <-b.done
	b.cancel()
	if err != nil {
		return fmt.Errorf("forward: %w", err)
	}
	b.drain(ctx, emit, fail)
	return nil
}

// Teardown stops the forward passes of a bundle that failed.
func (fn *ForwardFn) Teardown() {
	if fn.b != nil {
		fn.b.cancel()
	}
}

// faulted holds the names PanicOnce has already panicked on.
var faulted sync.Map

// fault is the PanicOnce hook.
func (fn *ForwardFn) fault(name string) {
	if fn.PanicOnce == "" || name != fn.PanicOnce {
		return
	}
	if _, done := faulted.LoadOrStore(name, true); !done {
		fn.b.cancel()
		panic(fmt.Sprintf("infer: test fault on %s (ForwardFn.PanicOnce)", name))
	}
}

// source is the predict.Source of the bundle's inputs: what
// ProcessElement sends, until FinishBundle closes in.
func (b *bundle) source(ctx context.Context, yield func(predict.Input) error) error {
	for {
		select {
		case in, ok := <-b.in:
			if !ok {
				return nil
			}
			if err := yield(in); err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// collect keeps a result for the DoFn's goroutine to emit (Beam's
// emitters are not for other goroutines), dropping the padding's. It
// copies the scores, which point into the model's reused output.
func (b *bundle) collect(r predict.Result) error {
	if r.File == padName {
		return nil
	}
	r.Data = nil
	r.Logits = append([]float32(nil), r.Logits...)
	r.Probs = append([]float32(nil), r.Probs...)
	b.mu.Lock()
	b.ready = append(b.ready, r)
	b.mu.Unlock()
	return nil
}

// drain emits the results collected so far and counts them.
func (b *bundle) drain(ctx context.Context, emit func(elem.Scores), fail func(elem.Failure)) {
	b.mu.Lock()
	ready := b.ready
	b.ready = nil
	index := make([]int64, len(ready))
	for i, r := range ready {
		index[i] = b.index[r.Index]
		delete(b.index, r.Index)
	}
	b.mu.Unlock()
	for i, r := range ready {
		if r.Err != nil {
			errorsCounter.Inc(ctx, 1)
			Progress.Errors.Add(1)
			fail(elem.Failure{Index: index[i], File: r.File, Error: r.Err.Error()})
			continue
		}
		scores := r.Logits
		if len(r.Probs) > 0 {
			scores = r.Probs
		}
		imagesCounter.Inc(ctx, 1)
		Progress.Images.Add(1)
		emit(elem.Scores{Index: index[i], Name: r.File, Label: r.Label, Scores: scores})
	}
	b.fwd.flush(ctx)
}
