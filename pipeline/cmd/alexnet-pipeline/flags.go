package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"github.com/alexnet-go/alexnet/pipeline/infer"
	"github.com/alexnet-go/alexnet/pipeline/runner"
)

// errUsage is a flag error (already printed with the usage).
var errUsage = errors.New("usage")

// common are the flags both subcommands take.
type common struct {
	output   string
	model    infer.Model
	forward  infer.ForwardFn
	run      runner.Options
	progress time.Duration
}

// newFlagSet returns the subcommand's flag set with the common flags and
// Beam's (which stay bound to Beam's variables).
func newFlagSet(name string, c *common, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.output, "output", "", "prefix of the files written (a local path or gs://...; required)")
	fs.StringVar(&c.model.Weights, "weights", "", "weights file (.pth, .safetensors or .onnx), readable on every worker; none: as `alexnet classify` finds them")
	fs.StringVar(&c.model.Arch, "arch", "", "architecture: torchvision, original, tiny or tiny-bn (default: the weights file's, as alexnet classify; torchvision without --weights)")
	fs.StringVar(&c.model.Precision, "precision", "fp32", "arithmetic: fp32, or int8 with --weights a quantized model (alexnet quantize)")
	fs.IntVar(&c.model.Threads, "threads", 0, "forward-pass threads per worker (0: all cores)")
	fs.IntVar(&c.forward.Batch, "batch", 8, "images per forward pass (batches never span bundles)")
	fs.IntVar(&c.forward.Workers, "workers", 0, "decoding goroutines per worker (0: one per core)")
	fs.StringVar(&c.run.Runner, "runner", runner.Default, "Beam runner: prism (in this process), flink, spark, universal (a job service at --endpoint) or dataflow")
	fs.IntVar(&c.run.Retries, "retries", 2, "times to submit a failed job again (prism does not retry bundles; see the README)")
	fs.DurationVar(&c.progress, "progress", 10*time.Second, "interval of the progress line with an in-process runner (0: none)")
	fs.StringVar(&c.forward.PanicOnce, "test-panic-once", "", "test hook: the first time the image of this name (its path as --input matches it) is met in this process, panic in the forward DoFn")
	flag.CommandLine.VisitAll(func(f *flag.Flag) {
		if fs.Lookup(f.Name) == nil {
			fs.Var(f.Value, f.Name, f.Usage)
		}
	})
	return fs
}

// usage returns the usage function of a subcommand: its synopsis, what
// it does, then its flags.
func usage(fs *flag.FlagSet, synopsis, text string) func() {
	return func() {
		fmt.Fprintf(fs.Output(), "usage: alexnet-pipeline %s\n\n%s\n\n", synopsis, text)
		fs.PrintDefaults()
	}
}

// parse parses args into fs and checks the common flags and the
// subcommand's required one, name, whose value is *value once parsed.
func parse(fs *flag.FlagSet, c *common, args []string, stderr io.Writer, name string, value *string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "alexnet-pipeline %s: unexpected arguments %q\n", fs.Name(), fs.Args())
		return errUsage
	}
	for _, f := range []struct{ name, value string }{{"output", c.output}, {name, *value}} {
		if f.value == "" {
			fmt.Fprintf(stderr, "alexnet-pipeline %s: --%s is required\n", fs.Name(), f.name)
			return errUsage
		}
	}
	beam.Init()
	c.run.Log = stderr
	if c.run.Runner == runner.Default {
		c.run.Every = c.progress
		c.run.Count = func() (int64, int64) { return infer.Progress.Images.Load(), infer.Progress.Errors.Load() }
	}
	return nil
}

// failedCount returns the images that failed and the images read, from
// a finished job's counters.
func failedCount(c runner.Counters) (failed, total int64) {
	failed = c["errors"] + c["read_errors"]
	return failed, c["images"] + failed
}

// execute builds the pipeline, runs it as c says and prints its
// counters; it returns them and how long the run took.
func execute(ctx context.Context, c *common, build func(beam.Scope) error, stderr io.Writer) (runner.Counters, time.Duration, error) {
	p, s := beam.NewPipelineWithRoot()
	if err := build(s); err != nil {
		return nil, 0, err
	}
	start := time.Now()
	counters, err := runner.Run(ctx, p, c.run)
	d := time.Since(start)
	if err != nil {
		return nil, d, err
	}
	sec := d.Seconds()
	fmt.Fprintf(stderr, "alexnet-pipeline: %d images classified, %d failed, %d bytes read, forward passes %d ms; %.1f s, %.1f images/s\n",
		counters["images"], counters["errors"]+counters["read_errors"], counters["bytes"], counters["forward_ms"], sec, float64(counters["images"])/sec)
	return counters, d, nil
}
