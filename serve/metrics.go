package serve

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus series, on a registry of its own
// (not the global one), so that servers in one process stay apart.
type metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec   // by handler and status code
	latency   *prometheus.HistogramVec // by handler
	batchSize prometheus.Histogram
	forward   prometheus.Histogram
	decode    prometheus.Histogram
	queue     prometheus.Gauge // images waiting for a forward pass
	inflight  prometheus.Gauge // images admitted: decoding, queued or running
	lanes     prometheus.Gauge // forward lanes running
	images    *prometheus.CounterVec
}

func newMetrics(maxBatch int) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alexnet_http_requests_total",
			Help: "HTTP requests answered, by handler and status code.",
		}, []string{"handler", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "alexnet_http_request_duration_seconds",
			Help:    "Time from a request's arrival to its answer, by handler.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 16), // 1 ms .. 33 s
		}, []string{"handler"}),
		batchSize: histogram("alexnet_batch_size", "Images per forward pass formed by the batcher.",
			batchBuckets(maxBatch)),
		forward: histogram("alexnet_forward_duration_seconds", "Time of one batched forward pass.",
			prometheus.ExponentialBuckets(0.001, 2, 16)),
		decode: histogram("alexnet_decode_duration_seconds", "Time to decode and preprocess one image.",
			prometheus.ExponentialBuckets(0.0005, 2, 16)),
		queue:    gauge("alexnet_queue_depth", "Images waiting for a forward pass."),
		inflight: gauge("alexnet_inflight_images", "Images admitted and not yet answered (decoding, queued or in a forward pass)."),
		lanes:    gauge("alexnet_forward_lanes", "Forward passes that can run at once (model replicas), warmed up."),
		images: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alexnet_images_total",
			Help: "Images classified (result=ok) or rejected (result=error).",
		}, []string{"result"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.batchSize, m.forward, m.decode, m.queue, m.inflight, m.lanes, m.images,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// histogram is an unlabelled histogram series.
func histogram(name, help string, buckets []float64) prometheus.Histogram {
	return prometheus.NewHistogram(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets})
}

// gauge is an unlabelled gauge series.
func gauge(name, help string) prometheus.Gauge {
	return prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
}

// batchBuckets are one bucket per batch size up to maxBatch (so that the
// histogram counts each size exactly), or 64 linear ones for larger batches.
func batchBuckets(maxBatch int) []float64 {
	if maxBatch <= 64 {
		return prometheus.LinearBuckets(1, 1, max(maxBatch, 1))
	}
	return prometheus.LinearBuckets(1, float64(maxBatch-1)/63, 64)
}

// observeRequest counts one answered request.
func (m *metrics) observeRequest(handler string, code int, d time.Duration) {
	m.requests.WithLabelValues(handler, strconv.Itoa(code)).Inc()
	m.latency.WithLabelValues(handler).Observe(d.Seconds())
}

// observeBatch records one forward pass.
func (m *metrics) observeBatch(size int, d time.Duration) {
	m.batchSize.Observe(float64(size))
	m.forward.Observe(d.Seconds())
}

// handler serves the registry in Prometheus' text format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
