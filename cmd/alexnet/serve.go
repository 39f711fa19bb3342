package main

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/alexnet-go/alexnet/serve"
)

type serveFlags struct {
	addr, weights, arch, logFormat, logLevel string
	precision                                string
	maxBatch, queue, workers, maxImages      int
	lanes                                    int
	maxWait, requestTimeout                  time.Duration
	maxBody                                  byteSize
	maxPixels                                int64
	t                                        serve.Timeouts
}

func serveCmd() *cobra.Command {
	f := serveFlags{maxBody: 32 << 20}
	cmd := &cobra.Command{
		Use:   "serve [flags]",
		Short: "Serve the classifier over HTTP: JSON API, web page, metrics",
		Long: `Serve AlexNet over HTTP until SIGINT or SIGTERM, then finish the requests
in flight and stop.

  POST /v1/classify        the image as the body (image/*), or the multipart field "image"; ?top=K
  POST /v1/classify/batch  multipart, one field "image" per image; one result each
  GET  /healthz /readyz /metrics /v1/model, and the web page at /

Concurrent requests share forward passes (up to --max-batch images, waiting
at most --max-wait for a batch to fill), up to --lanes passes at once;
decoding runs on --workers goroutines. Every flag can also be set by an environment variable,
ALEXNET_ and the flag's name in capitals with _ for - (ALEXNET_ADDR,
ALEXNET_MAX_BATCH, ALEXNET_THREADS, ...); a flag on the command line wins.
Weights are found as for classify (--weights, $ALEXNET_WEIGHTS, the caches,
the download).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := flagsFromEnv(cmd.Flags()); err != nil {
				return err
			}
			return runServe(cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8080", "address to listen on (\":8080\" for all interfaces)")
	addWeightsFlag(fl, &f.weights)
	addArchFlag(fl, &f.arch)
	addPrecisionFlag(fl, &f.precision)
	fl.IntVar(&f.maxBatch, "max-batch", 8, "most images in one forward pass")
	fl.DurationVar(&f.maxWait, "max-wait", 5*time.Millisecond, "longest wait for a batch to fill")
	fl.IntVar(&f.queue, "queue", 64, "most images admitted at once (decoding, queued, running); more get 503")
	fl.IntVar(&f.workers, "workers", 0, "decoding goroutines (default: one per CPU)")
	fl.IntVar(&f.lanes, "lanes", 0, "forward passes at once, each on a replica of the model sharing its weights; under load each takes threads/lanes threads (default 2, or 1 with --threads 1)")
	fl.Var(&f.maxBody, "max-body", "request body limit (bytes, or with KiB/MiB/KB/MB; 413 above)")
	fl.Int64Var(&f.maxPixels, "max-pixels", 40_000_000, "image width*height limit, checked from the header (422 above)")
	fl.IntVar(&f.maxImages, "max-images", 32, "most images in one batch request")
	fl.DurationVar(&f.requestTimeout, "request-timeout", 30*time.Second, "time for one image's decoding and inference (503 after)")
	fl.DurationVar(&f.t.ReadHeader, "read-header-timeout", 10*time.Second, "time to read a request's headers")
	fl.DurationVar(&f.t.Read, "read-timeout", 60*time.Second, "time to read a whole request")
	fl.DurationVar(&f.t.Write, "write-timeout", 90*time.Second, "time from the request's headers to the end of the answer")
	fl.DurationVar(&f.t.Idle, "idle-timeout", 120*time.Second, "how long an idle keep-alive connection stays open")
	fl.DurationVar(&f.t.Shutdown, "shutdown-timeout", 30*time.Second, "how long to wait for requests in flight at shutdown")
	fl.StringVar(&f.logFormat, "log-format", "text", "log format: text or json")
	fl.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	return cmd
}

func runServe(cmd *cobra.Command, f serveFlags) error {
	log, err := newLogger(cmd, f.logFormat, f.logLevel)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	path, err := resolveWeights(ctx, f.arch, f.weights, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	threads := threadsFlag(cmd)
	p, err := loadPredictor(archFlag(cmd, f.arch), path, f.precision, threads)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return err
	}
	s := serve.New(p, &serve.Options{
		Model:    p.Arch + "/" + filepath.Base(path),
		MaxBatch: f.maxBatch, MaxWait: orNoWait(f.maxWait), Queue: f.queue, Workers: f.workers, Lanes: f.lanes,
		MaxBodyBytes: int64(f.maxBody), MaxPixels: f.maxPixels, MaxImages: f.maxImages,
		RequestTimeout: f.requestTimeout, Logger: log,
	})
	log.Info("listening", "url", "http://"+ln.Addr().String()+"/", "weights", path, "arch", p.Arch,
		"threads", threads, "max_batch", f.maxBatch, "max_wait", f.maxWait.String(), "queue", f.queue)
	return s.Serve(ctx, ln, f.t)
}

// orNoWait maps --max-wait 0 to serve's "no wait" (a negative MaxWait).
func orNoWait(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

func newLogger(cmd *cobra.Command, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	o := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), o)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(cmd.ErrOrStderr(), o)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}

// flagsFromEnv sets each flag not given on the command line from
// ALEXNET_<NAME> (upper case, _ for -) when that variable is set, except
// --weights, which resolveWeights reads from $ALEXNET_WEIGHTS itself.
func flagsFromEnv(fs *pflag.FlagSet) error {
	var err error
	fs.VisitAll(func(fl *pflag.Flag) {
		if err != nil || fl.Changed || fl.Name == "weights" || fl.Name == "help" {
			return
		}
		env := "ALEXNET_" + strings.ToUpper(strings.ReplaceAll(fl.Name, "-", "_"))
		v, ok := os.LookupEnv(env)
		if !ok {
			return
		}
		if e := fs.Set(fl.Name, v); e != nil {
			err = fmt.Errorf("$%s=%q: %w", env, v, e)
		}
	})
	return err
}

// byteSize is a flag of bytes: 1048576, 512KiB, 32MiB, 10MB, 1GiB.
type byteSize int64

func (b *byteSize) String() string { return strconv.FormatInt(int64(*b), 10) }

func (b *byteSize) Type() string { return "bytes" }

func (b *byteSize) Set(s string) error {
	units := []struct {
		suffix string
		n      int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	num, mult := strings.TrimSpace(s), int64(1)
	for _, u := range units {
		if rest, ok := strings.CutSuffix(num, u.suffix); ok {
			num, mult = strings.TrimSpace(rest), u.n
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return fmt.Errorf("%q: want a positive size such as 1048576, 512KiB or 32MiB", s)
	}
	*b = byteSize(n * mult)
	return nil
}
