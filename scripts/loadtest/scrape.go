package main

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// metrics are the server's batching counters at one moment, from /metrics.
type metrics struct {
	buckets        map[float64]float64 // alexnet_batch_size_bucket: le -> cumulative passes
	passes, images float64             // alexnet_batch_size_count, _sum
	forwardSeconds float64             // alexnet_forward_duration_seconds_sum
	rss            float64             // process_resident_memory_bytes
	lanes          float64             // alexnet_forward_lanes (0: an older server without it)
}

// scrape reads the series it needs from /metrics (Prometheus text format).
func (c *client) scrape() (metrics, error) {
	resp, err := c.http.Get(c.base + "/metrics")
	if err != nil {
		return metrics{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return metrics{}, err
	}
	m := metrics{buckets: map[float64]float64{}}
	for _, line := range strings.Split(string(b), "\n") {
		name, val, ok := strings.Cut(line, " ")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil {
			continue
		}
		switch {
		case strings.HasPrefix(name, `alexnet_batch_size_bucket{le="`):
			le := strings.TrimSuffix(strings.TrimPrefix(name, `alexnet_batch_size_bucket{le="`), `"}`)
			if le == "+Inf" {
				m.buckets[math.Inf(1)] = v
			} else if f, err := strconv.ParseFloat(le, 64); err == nil {
				m.buckets[f] = v
			}
		case name == "alexnet_batch_size_count":
			m.passes = v
		case name == "alexnet_batch_size_sum":
			m.images = v
		case name == "alexnet_forward_duration_seconds_sum":
			m.forwardSeconds = v
		case name == "process_resident_memory_bytes":
			m.rss = v
		case name == "alexnet_forward_lanes":
			m.lanes = v
		}
	}
	if len(m.buckets) == 0 {
		return m, fmt.Errorf("%s/metrics has no alexnet_batch_size histogram", c.base)
	}
	return m, nil
}

// sub is m minus an earlier scrape.
func (m metrics) sub(o metrics) metrics {
	d := metrics{buckets: map[float64]float64{}, passes: m.passes - o.passes, images: m.images - o.images,
		forwardSeconds: m.forwardSeconds - o.forwardSeconds, rss: m.rss, lanes: m.lanes}
	for le, v := range m.buckets {
		d.buckets[le] = v - o.buckets[le]
	}
	return d
}

// sizes lists the forward passes per batch size ("1:3 2:10 8:40"), from
// the cumulative buckets (one per size up to the server's --max-batch).
func (m metrics) sizes() string {
	les := make([]float64, 0, len(m.buckets))
	for le := range m.buckets {
		les = append(les, le)
	}
	sort.Float64s(les)
	var parts []string
	prev := 0.0
	for _, le := range les {
		n := m.buckets[le] - prev
		prev = m.buckets[le]
		if n <= 0 {
			continue
		}
		label := strconv.FormatFloat(le, 'f', -1, 64)
		if math.IsInf(le, 1) {
			label = "more"
		}
		parts = append(parts, fmt.Sprintf("%s:%.0f", label, n))
	}
	return strings.Join(parts, " ")
}
