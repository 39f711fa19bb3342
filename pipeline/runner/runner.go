// Package runner runs a pipeline on the runner its name selects:
// "prism" (the default) starts Beam's Go prism runner inside this
// process, with the workers in-process too (loopback), so nothing has
// to be installed or started; "flink", "spark" and "universal" submit
// to a job service (--endpoint, the portable runner); "dataflow" to
// Google Cloud Dataflow. Beam's own flags (--endpoint,
// --environment_type, --project, --region, --staging_location, ...)
// configure them.
//
// Retries: Dataflow retries a failed bundle (four times in batch),
// Flink and Spark restart the failed tasks or job by their restart
// strategy. Prism does not retry: a bundle that fails fails the job
// (prism's execute.go: FailBundle, then the error). Run therefore
// submits a failed job again, up to Options.Retries times; the
// pipeline's sink (package sink) makes a job that is run again write
// the same files, so that nothing is lost or duplicated.
package runner

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/gcs"   // gs:// inputs and outputs
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/local" // local paths
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/dataflow"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/flink"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/spark"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/universal"
)

// Default is the runner of an empty name: prism, in-process.
const Default = "prism"

// Options configure Run. The zero value runs once on prism, quietly.
type Options struct {
	Runner  string // prism, flink, spark, universal or dataflow; "" means prism
	Retries int    // how many times to submit a failed job again

	// Log receives a line per failed attempt, and with Count the
	// progress line every Every.
	Log   io.Writer
	Every time.Duration
	// Count, when set, returns this process's running counts of images
	// classified and failed (infer.Progress): what an in-process
	// runner's workers have done.
	Count func() (images, errors int64)
}

// Counters are the "alexnet" counters of a finished job, by name.
type Counters map[string]int64

// Run runs p, submitting it again after a failure up to opt.Retries
// times, and returns the counters of the attempt that succeeded.
func Run(ctx context.Context, p *beam.Pipeline, opt Options) (Counters, error) {
	name := opt.Runner
	if name == "" {
		name = Default
	}
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	quietPrism(name)
	var err error
	for attempt := 0; attempt <= opt.Retries; attempt++ {
		if attempt > 0 {
			fmt.Fprintf(opt.Log, "alexnet-pipeline: attempt %d failed: %v\nalexnet-pipeline: submitting the job again (%d of %d retries)\n",
				attempt, brief(err), attempt, opt.Retries)
		}
		var res beam.PipelineResult
		stop := progress(opt)
		res, err = beam.Run(ctx, name, p)
		stop()
		if err == nil {
			return counters(res), nil
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, err
}

// counters returns the committed "alexnet" counters of res, summed over
// the transforms that report them.
func counters(res beam.PipelineResult) Counters {
	out := Counters{}
	if res == nil {
		return out
	}
	for _, c := range res.Metrics().AllMetrics().Counters() {
		if c.Namespace() == "alexnet" {
			out[c.Name()] += c.Result()
		}
	}
	return out
}

// progress prints the progress line every opt.Every until the returned
// function is called, counting from now.
func progress(opt Options) (stop func()) {
	if opt.Count == nil || opt.Every <= 0 {
		return func() {}
	}
	start := time.Now()
	img0, err0 := opt.Count()
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(opt.Every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				img, errs := opt.Count()
				img, errs = img-img0, errs-err0
				s := time.Since(start).Seconds()
				fmt.Fprintf(opt.Log, "alexnet-pipeline: %d images classified, %d failed, %.0f s, %.1f images/s\n",
					img, errs, s, float64(img)/s)
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// quietPrism keeps prism's informational logging (job states, "pipeline
// is running") off stderr; warnings and errors still show.
func quietPrism(name string) {
	if name == "prism" || name == "PrismRunner" {
		slog.SetDefault(slog.New(slog.NewTextHandler(stderr{}, &slog.HandlerOptions{Level: slog.LevelWarn})))
	}
}

// brief is err's message on one line, cut at 300 bytes: a failed job's
// error holds the worker's stack.
func brief(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}
