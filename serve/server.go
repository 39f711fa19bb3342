package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alexnet-go/alexnet/predict"
	"github.com/alexnet-go/alexnet/tensor"
)

// Server answers classification requests with one model. Its handler is
// safe for concurrent use; the model is used by the Batcher's goroutine
// only.
type Server struct {
	opt     Options
	pred    *predict.Predictor
	classes int // the model's number of classes, known after warm-up
	batcher *Batcher
	metrics *metrics
	log     *slog.Logger
	workers chan struct{} // one token per decoding worker
	admit   chan struct{} // one token per image admitted (Options.Queue)
	inputs  sync.Pool     // *tensor.Tensor: model inputs whose forward pass is done, to reuse
	handler http.Handler

	threads  int                  // the forward pass's threads, shared by the lanes running
	busy     atomic.Int32         // lanes in a forward pass
	replicas []*predict.Predictor // the other lanes' models, until warm starts them
	expl     *explainer           // POST /v1/explain's model

	ready     chan struct{} // closed after the warm-up pass
	readyErr  error         // the warm-up's error; read after ready is closed
	draining  atomic.Bool
	closeOnce sync.Once
}

// New starts a Server for p: its batcher, and a warm-up forward pass on a
// blank image in the background (/readyz says 503 until it is done). The
// Server owns p from now on: nothing else may call p.Forward. A nil
// *Options means the defaults.
func New(p *predict.Predictor, opt *Options) *Server {
	o := opt.withDefaults(p.Arch)
	s := &Server{
		opt:     o,
		pred:    p,
		metrics: newMetrics(o.MaxBatch),
		log:     o.Logger,
		workers: make(chan struct{}, o.Workers),
		admit:   make(chan struct{}, o.Queue),
		ready:   make(chan struct{}),
	}
	s.threads = p.Model.Config().Threads
	if s.threads <= 0 {
		s.threads = runtime.GOMAXPROCS(0)
	}
	if opt == nil || opt.Lanes <= 0 {
		s.opt.Lanes = min(2, s.threads)
	}
	s.expl = newExplainer(p) // before any lane runs p
	for range s.opt.Lanes - 1 {
		r, err := p.Replica() // before any lane runs p
		if err != nil {
			s.log.Error("a forward lane could not be made; serving with fewer", "err", err)
			break
		}
		s.replicas = append(s.replicas, r)
	}
	s.batcher = newBatcher(s.laneForward(p), o.MaxBatch, o.MaxWait, o.Queue, s.metrics.observeBatch,
		func(d int) { s.metrics.queue.Add(float64(d)) })
	s.handler = s.routes()
	go s.warm()
	return s
}

// warm runs one blank image through the batcher (its first lane) and
// learns the number of classes from it, then makes, warms and starts the
// other lanes' replicas.
func (s *Server) warm() {
	defer close(s.ready)
	size := s.pred.Transform.CropSize
	x := tensor.New(3, size, size)
	start := time.Now()
	logits, _, err := s.batcher.Submit(context.Background(), x)
	if err != nil {
		s.readyErr = fmt.Errorf("warm-up forward pass: %w", err)
		s.log.Error("warm-up failed", "err", err)
		return
	}
	s.classes = len(logits)
	s.metrics.lanes.Set(1)
	for _, r := range s.replicas {
		if _, err := r.Forward(context.Background(), tensor.New(1, 3, size, size)); err != nil {
			s.log.Error("a forward lane failed its warm-up; serving with fewer", "err", err)
			break
		}
		s.batcher.AddLane(s.laneForward(r))
		s.metrics.lanes.Inc()
	}
	s.replicas = nil
	s.log.Info("model ready", "model", s.opt.Model, "classes", s.classes, "lanes", s.opt.Lanes, "warmup_ms", ms(time.Since(start)))
}

// laneForward is p's forward pass for a lane of the batcher. Lanes share
// the threads: a pass that starts while others run takes threads/busy of
// them, one that starts alone takes them all (an idle server answers at
// full speed; under load, independent single-threaded passes keep both
// cores busy between the decoding, without waiting on each other).
func (s *Server) laneForward(p *predict.Predictor) ForwardFunc {
	return func(ctx context.Context, x *tensor.Tensor) (*tensor.Tensor, error) {
		n := int(s.busy.Add(1))
		defer s.busy.Add(-1)
		p.Model.SetThreads(max(1, s.threads/n))
		return p.Forward(ctx, x)
	}
}

// WaitReady blocks until the warm-up pass is done or ctx ends, and returns
// the warm-up's error.
func (s *Server) WaitReady(ctx context.Context) error {
	select {
	case <-s.ready:
		return s.readyErr
	case <-ctx.Done():
		return ctx.Err()
	}
}

// isReady reports whether the model is warm and the server not draining.
func (s *Server) isReady() (bool, string) {
	select {
	case <-s.ready:
	default:
		return false, "warming up"
	}
	switch {
	case s.readyErr != nil:
		return false, s.readyErr.Error()
	case s.draining.Load():
		return false, "shutting down"
	}
	return true, ""
}

// Handler returns the server's HTTP handler (see the package doc for the
// endpoints).
func (s *Server) Handler() http.Handler { return s.handler }

// Close stops the batcher after answering the images already queued; later
// classification requests get 503. It does not stop an http.Server using
// Handler: Serve does both, in order.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.draining.Store(true)
		s.batcher.Close()
	})
}

// Timeouts are the http.Server's; zero fields mean the defaults.
type Timeouts struct {
	ReadHeader time.Duration // default 10s
	Read       time.Duration // the whole request, body included; default 60s
	Write      time.Duration // from the end of the request headers to the end of the answer; default 90s
	Idle       time.Duration // keep-alive; default 120s
	Shutdown   time.Duration // how long Serve waits for requests in flight at shutdown; default 30s
}

func (t Timeouts) withDefaults() Timeouts {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&t.ReadHeader, 10*time.Second)
	def(&t.Read, 60*time.Second)
	def(&t.Write, 90*time.Second)
	def(&t.Idle, 120*time.Second)
	def(&t.Shutdown, 30*time.Second)
	return t
}

// Serve answers HTTP on ln until ctx ends, then shuts down gracefully: it
// stops accepting connections, marks itself not ready, waits (up to
// t.Shutdown) for the requests in flight to be answered, and stops the
// batcher. It returns nil after a clean shutdown.
func (s *Server) Serve(ctx context.Context, ln net.Listener, t Timeouts) error {
	t = t.withDefaults()
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		s.Close()
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "grace", t.Shutdown.String())
	s.draining.Store(true)
	sctx, cancel := context.WithTimeout(context.Background(), t.Shutdown)
	defer cancel()
	err := hs.Shutdown(sctx)
	if err != nil {
		hs.Close() // the grace period is over: drop what is left
	}
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	s.Close()
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	s.log.Info("stopped")
	return nil
}

// ms is d in milliseconds.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 }
