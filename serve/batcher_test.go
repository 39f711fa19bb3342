package serve

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/alexnet-go/alexnet/tensor"
)

// fakeModel is a ForwardFunc whose logits row for an image is the image's
// first value and the batch size; it records each batch size and can be
// held up by a gate.
type fakeModel struct {
	mu      sync.Mutex
	sizes   []int
	gate    chan struct{} // when not nil, each forward pass waits for a value
	entered chan struct{} // with gate: a value as each forward pass starts
}

func gatedModel() *fakeModel {
	return &fakeModel{gate: make(chan struct{}), entered: make(chan struct{}, 16)}
}

func (m *fakeModel) forward(_ context.Context, x *tensor.Tensor) (*tensor.Tensor, error) {
	if m.gate != nil {
		m.entered <- struct{}{}
		<-m.gate
	}
	n := x.Shape[0]
	m.mu.Lock()
	m.sizes = append(m.sizes, n)
	m.mu.Unlock()
	out := tensor.New(n, 2)
	for i := range n {
		out.Data[2*i] = x.Row(i).Data[0]
		out.Data[2*i+1] = float32(n)
	}
	return out, nil
}

func (m *fakeModel) batches() []int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.sizes)
}

func image1(v float32) *tensor.Tensor {
	x := tensor.New(1, 2, 2)
	x.Data[0] = v
	return x
}

// Images submitted together are run together, up to MaxBatch per forward
// pass, and each gets its own row back.
func TestBatcherFormsBatches(t *testing.T) {
	m := &fakeModel{}
	b := NewBatcher(m.forward, 4, time.Second, 16)
	defer b.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			row, info, err := b.Submit(context.Background(), image1(float32(i)))
			switch {
			case err != nil:
				errs <- err
			case row[0] != float32(i) || int(row[1]) != info.Size:
				errs <- errors.New("wrong row")
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// Eight images within the 1 s wait and at most four a batch: two
	// full batches, never waiting out the timer.
	if got := m.batches(); !slices.Equal(got, []int{4, 4}) {
		t.Errorf("batch sizes %v, want [4 4]", got)
	}
}

// A lone image waits at most MaxWait, then runs alone; with no wait at all
// it runs at once.
func TestBatcherMaxWait(t *testing.T) {
	for _, wait := range []time.Duration{0, 30 * time.Millisecond} {
		m := &fakeModel{}
		b := NewBatcher(m.forward, 8, wait, 4)
		start := time.Now()
		_, info, err := b.Submit(context.Background(), image1(1))
		d := time.Since(start)
		b.Close()
		if err != nil || info.Size != 1 {
			t.Fatalf("wait %v: size %d, err %v", wait, info.Size, err)
		}
		if d < wait || d > wait+2*time.Second {
			t.Errorf("wait %v: answered after %v", wait, d)
		}
	}
}

// The queue is bounded: with one batch running and the queue full,
// Submit fails at once with ErrQueueFull. Close runs what is queued, and
// Submit after Close fails with ErrClosed.
func TestBatcherQueueFullAndClose(t *testing.T) {
	m := gatedModel()
	b := NewBatcher(m.forward, 1, 0, 1)
	results := make(chan error, 2)
	submit := func(v float32) {
		_, _, err := b.Submit(context.Background(), image1(v))
		results <- err
	}
	go submit(1) // taken into the forward pass, held at the gate
	<-m.entered
	go submit(2) // waits in the queue
	waitFor(t, func() bool { return len(b.queue) == 1 }, "second image queued")
	if _, _, err := b.Submit(context.Background(), image1(3)); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("third image: err %v, want ErrQueueFull", err)
	}
	closed := make(chan struct{})
	go func() { b.Close(); close(closed) }()
	m.gate <- struct{}{}
	m.gate <- struct{}{}
	<-closed
	for range 2 {
		if err := <-results; err != nil {
			t.Errorf("queued image: %v", err)
		}
	}
	if _, _, err := b.Submit(context.Background(), image1(4)); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: err %v, want ErrClosed", err)
	}
	b.Close() // a second Close is harmless
}

// A request whose context ends while queued is left out of its batch; a
// model error reaches every image of the batch; a model panic becomes an
// error.
func TestBatcherCancelAndErrors(t *testing.T) {
	m := gatedModel()
	b := NewBatcher(m.forward, 1, 0, 4)
	go b.Submit(context.Background(), image1(1)) // holds the model
	<-m.entered
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { _, _, err := b.Submit(ctx, image1(2)); done <- err }()
	waitFor(t, func() bool { return len(b.queue) == 1 }, "second image queued")
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	m.gate <- struct{}{}
	b.Close()
	if got := m.batches(); !slices.Equal(got, []int{1}) {
		t.Errorf("batches %v: the cancelled image must not run", got)
	}

	// Images of two shapes cannot share a batch: both get an error.
	m = &fakeModel{}
	b = NewBatcher(m.forward, 2, time.Second, 2)
	odd := make(chan error, 1)
	go func() { _, _, err := b.Submit(context.Background(), tensor.New(1, 3, 3)); odd <- err }()
	if _, _, err := b.Submit(context.Background(), image1(1)); err == nil {
		t.Error("mixed shapes: no error")
	}
	if err := <-odd; err == nil {
		t.Error("mixed shapes: no error for the other image")
	}
	b.Close()

	boom := errors.New("boom")
	for _, f := range []ForwardFunc{
		func(context.Context, *tensor.Tensor) (*tensor.Tensor, error) { return nil, boom },
		func(context.Context, *tensor.Tensor) (*tensor.Tensor, error) { panic("kernel bug") },
		func(context.Context, *tensor.Tensor) (*tensor.Tensor, error) { return tensor.New(7, 2), nil },
	} {
		b := NewBatcher(f, 2, 0, 2)
		if _, _, err := b.Submit(context.Background(), image1(1)); err == nil {
			t.Error("model failure gave no error")
		}
		b.Close()
	}
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for: %s", what)
		}
	}
}
