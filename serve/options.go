package serve

import (
	"log/slog"
	"runtime"
	"time"
)

// Options configure a Server. A nil *Options means the defaults; in a
// non-nil one a zero field means that field's default.
type Options struct {
	Model string // the model's name in answers (default: the predictor's arch)

	MaxBatch int           // images per forward pass (default 8)
	MaxWait  time.Duration // how long a batch waits to fill once its first image is queued (default 5ms; negative: no wait)
	Queue    int           // images admitted at once: being decoded, queued or in a forward pass (default 64); more are answered 503
	Workers  int           // goroutines decoding and preprocessing (default: one per CPU)
	Lanes    int           // forward passes at once, each on a replica of the model sharing its weights (default: 2, or 1 with one forward thread)

	MaxBodyBytes   int64         // request body limit, 413 above (default 32 MiB)
	MaxPixels      int64         // width*height limit, 422 above, checked from the header (default 40,000,000)
	MaxImages      int           // images in one batch request (default 32)
	MaxTop         int           // largest ?top= accepted (default: the number of classes)
	RequestTimeout time.Duration // time for one request's decoding and inference (default 30s)

	Logger *slog.Logger // request logs (default: slog.Default())
}

const (
	defaultMaxBatch       = 8
	defaultMaxWait        = 5 * time.Millisecond
	defaultQueue          = 64
	defaultMaxBodyBytes   = 32 << 20
	defaultMaxPixels      = 40_000_000
	defaultMaxImages      = 32
	defaultRequestTimeout = 30 * time.Second
	defaultTop            = 5
)

// withDefaults returns a copy of o (nil allowed) with zero fields set to
// their defaults.
func (o *Options) withDefaults(arch string) Options {
	var c Options
	if o != nil {
		c = *o
	}
	if c.Model == "" {
		c.Model = arch
	}
	if c.MaxBatch <= 0 {
		c.MaxBatch = defaultMaxBatch
	}
	switch {
	case c.MaxWait == 0:
		c.MaxWait = defaultMaxWait
	case c.MaxWait < 0:
		c.MaxWait = 0
	}
	if c.Queue <= 0 {
		c.Queue = defaultQueue
	}
	if c.Workers <= 0 {
		c.Workers = runtime.NumCPU()
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = defaultMaxBodyBytes
	}
	if c.MaxPixels <= 0 {
		c.MaxPixels = defaultMaxPixels
	}
	if c.MaxImages <= 0 {
		c.MaxImages = defaultMaxImages
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = defaultRequestTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}
