package serve

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/alexnet-go/alexnet/tensor"
)

// ForwardFunc runs a (N,3,S,S) batch through a model and returns its
// (N,classes) logits; predict.Predictor.Forward is one.
type ForwardFunc func(ctx context.Context, x *tensor.Tensor) (*tensor.Tensor, error)

// BatchInfo says how an image was run: the size of the forward pass it
// shared and how long that pass and the wait before it took.
type BatchInfo struct {
	Size    int
	Queued  time.Duration // from Submit to the start of the forward pass
	Forward time.Duration
}

// Batcher gathers images submitted concurrently into batches and runs each
// batch through a ForwardFunc on that function's goroutine, the only one
// that calls it: one lane at first, more with AddLane (each a model of its
// own, sharing the queue). A batch starts when MaxBatch images are
// waiting, or MaxWait after its first image arrived, whichever is first.
// The queue is bounded: Submit fails with ErrQueueFull rather than wait
// for room.
//
// Submit is safe for concurrent use; Close stops the Batcher after running
// what is queued.
type Batcher struct {
	maxBatch int
	maxWait  time.Duration
	queue    chan *batchRequest
	observe  func(size int, forward time.Duration) // nil: no metrics
	depth    func(delta int)                       // nil: no metrics

	mu     sync.RWMutex // guards closed against sends on the closed queue, and lanes.Add
	closed bool
	lanes  sync.WaitGroup // the lanes' loops
}

// lane is one goroutine running batches through its forward function.
type lane struct {
	forward ForwardFunc
	buf     []float32 // the batch input, reused by each forward pass
}

type batchRequest struct {
	ctx   context.Context
	x     *tensor.Tensor
	start time.Time
	out   chan batchResult // buffered: the batcher never blocks on it
}

type batchResult struct {
	logits []float32
	info   BatchInfo
	err    error
}

// NewBatcher starts a Batcher of up to maxBatch images per forward pass
// (at least 1), waiting up to maxWait (0: not at all) for a batch to fill,
// holding up to queue images (at least 1).
func NewBatcher(forward ForwardFunc, maxBatch int, maxWait time.Duration, queue int) *Batcher {
	return newBatcher(forward, maxBatch, maxWait, queue, nil, nil)
}

// newBatcher is NewBatcher with metric hooks: observe gets each forward
// pass's size and time, depth each change of the number of queued images.
func newBatcher(forward ForwardFunc, maxBatch int, maxWait time.Duration, queue int,
	observe func(size int, forward time.Duration), depth func(delta int)) *Batcher {
	b := &Batcher{
		observe:  observe,
		depth:    depth,
		maxBatch: max(maxBatch, 1),
		maxWait:  max(maxWait, 0),
		queue:    make(chan *batchRequest, max(queue, 1)),
	}
	b.AddLane(forward)
	return b
}

// AddLane starts another lane: a goroutine that takes batches from the
// same queue and runs them through forward, which must not share state
// with the other lanes' functions (a model replica). It does nothing after
// Close.
func (b *Batcher) AddLane(forward ForwardFunc) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.lanes.Add(1)
	go func() {
		defer b.lanes.Done()
		b.loop(&lane{forward: forward})
	}()
}

// Submit queues x, one (3,S,S) image, and waits for its row of logits. It
// returns ErrQueueFull at once when the queue is full, ErrClosed after
// Close, and ctx's error if ctx ends first (the image is then left out of
// its batch if that has not started).
func (b *Batcher) Submit(ctx context.Context, x *tensor.Tensor) ([]float32, BatchInfo, error) {
	r := &batchRequest{ctx: ctx, x: x, start: time.Now(), out: make(chan batchResult, 1)}
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return nil, BatchInfo{}, ErrClosed
	}
	b.addDepth(1) // before the send, so that the gauge never goes below 0
	select {
	case b.queue <- r:
	default:
		b.addDepth(-1)
		b.mu.RUnlock()
		return nil, BatchInfo{}, ErrQueueFull
	}
	b.mu.RUnlock()
	select {
	case res := <-r.out:
		return res.logits, res.info, res.err
	case <-ctx.Done():
		return nil, BatchInfo{}, ctx.Err()
	}
}

// Close stops taking images, runs those already queued and returns when
// the last batch is done. It is safe to call more than once.
func (b *Batcher) Close() {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.queue)
	}
	b.mu.Unlock()
	b.lanes.Wait()
}

func (b *Batcher) addDepth(d int) {
	if b.depth != nil {
		b.depth(d)
	}
}

// loop gathers and runs batches on l until the queue is closed and empty.
func (b *Batcher) loop(l *lane) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	batch := make([]*batchRequest, 0, b.maxBatch)
	for first := range b.queue { // ends when the queue is closed and empty
		batch = append(batch[:0], first)
		b.gather(&batch, timer)
		b.addDepth(-len(batch))
		b.run(l, batch)
		clear(batch)
	}
}

// gather adds queued requests to batch until it is full, maxWait has
// passed since the first, or the queue is closed and empty.
func (b *Batcher) gather(batch *[]*batchRequest, timer *time.Timer) {
	// First whatever is already waiting, without a timer.
	for len(*batch) < b.maxBatch {
		select {
		case r, ok := <-b.queue:
			if !ok {
				return
			}
			*batch = append(*batch, r)
			continue
		default:
		}
		break
	}
	if len(*batch) >= b.maxBatch || b.maxWait == 0 {
		return
	}
	timer.Reset(b.maxWait - time.Since((*batch)[0].start))
	defer timer.Stop()
	for len(*batch) < b.maxBatch {
		select {
		case r, ok := <-b.queue:
			if !ok {
				return
			}
			*batch = append(*batch, r)
		case <-timer.C:
			return
		}
	}
}

// run runs one batch on l, leaving out requests whose context has ended,
// and answers each request.
func (b *Batcher) run(l *lane, batch []*batchRequest) {
	live := batch[:0:0]
	xs := make([]*tensor.Tensor, 0, len(batch))
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.out <- batchResult{err: err}
			continue
		}
		live = append(live, r)
		xs = append(xs, r.x)
	}
	if len(live) == 0 {
		return
	}
	start := time.Now()
	logits, err := b.safeForward(l, xs)
	d := time.Since(start)
	if err == nil && (logits.Dim() != 2 || logits.Shape[0] != len(live)) {
		err = fmt.Errorf("serve: model returned shape %s for a batch of %d", tensor.ShapeString(logits.Shape), len(live))
	}
	if b.observe != nil && err == nil {
		b.observe(len(live), d)
	}
	for i, r := range live {
		res := batchResult{err: err, info: BatchInfo{Size: len(live), Queued: start.Sub(r.start), Forward: d}}
		if err == nil {
			res.logits = logits.Row(i).Data
		}
		r.out <- res
	}
}

// safeForward stacks xs and runs the model; a panic in the model becomes
// an error, so that one bad batch does not take the server down.
func (b *Batcher) safeForward(l *lane, xs []*tensor.Tensor) (out *tensor.Tensor, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("serve: model panic: %v", p)
		}
	}()
	x, err := b.stack(l, xs)
	if err != nil {
		return nil, err
	}
	return l.forward(context.Background(), x)
}

// stack is tensor.Stack into the lane's own buffer, allocated once for
// maxBatch images and reused: the model reads its input and keeps no
// reference to it, and the lane's next batch is stacked only after this
// forward pass has returned.
func (b *Batcher) stack(l *lane, xs []*tensor.Tensor) (*tensor.Tensor, error) {
	shape := xs[0].Shape
	n := len(xs[0].Data)
	if cap(l.buf) < len(xs)*n {
		l.buf = make([]float32, max(b.maxBatch, len(xs))*n)
	}
	x := &tensor.Tensor{Shape: append([]int{len(xs)}, shape...), Data: l.buf[:len(xs)*n]}
	for i, t := range xs {
		if !tensor.SameShape(t.Shape, shape) || len(t.Data) != n {
			return nil, &tensor.ShapeError{Op: "serve: batch", Got: t.Shape, Want: shape, Msg: fmt.Sprintf("image %d", i)}
		}
		copy(x.Data[i*n:], t.Data)
	}
	return x, nil
}
