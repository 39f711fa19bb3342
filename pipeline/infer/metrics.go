package infer

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
)

// The counters of ForwardFn, in the "alexnet" namespace: images
// classified, images that did not decode, and the milliseconds spent in
// forward passes.
var (
	imagesCounter  = beam.NewCounter("alexnet", "images")
	errorsCounter  = beam.NewCounter("alexnet", "errors")
	forwardCounter = beam.NewCounter("alexnet", "forward_ms")
)

// Progress counts what the ForwardFns of this process have done so far:
// with an in-process runner (prism), the whole job's progress, ahead of
// the metrics the runner reports at the end.
var Progress struct {
	Images, Errors atomic.Int64
}

// forwardTime accumulates forward-pass time until it is added to the
// counter in whole milliseconds, on the DoFn's goroutine (Beam metrics
// are bound to the bundle's context there).
type forwardTime struct {
	ns atomic.Int64 // written by predict's emit goroutine
}

func (f *forwardTime) add(rows int, d time.Duration) { f.ns.Add(int64(d)) }

// flush adds the whole milliseconds gathered so far to the counter,
// keeping the remainder for the next flush.
func (f *forwardTime) flush(ctx context.Context) {
	ns := f.ns.Load()
	if ms := ns / int64(time.Millisecond); ms > 0 {
		f.ns.Add(-ms * int64(time.Millisecond))
		forwardCounter.Inc(ctx, ms)
	}
}
