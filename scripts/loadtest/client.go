package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"
)

// client sends classification requests to one server.
type client struct {
	base   string
	http   *http.Client
	images [][]byte
	types  []string
}

func newClient(base string, timeout time.Duration, files []string) *client {
	c := &client{base: base, http: &http.Client{Timeout: timeout,
		Transport: &http.Transport{MaxIdleConnsPerHost: 256, DisableCompression: true}}}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // reported by the first request instead
		}
		c.images = append(c.images, b)
		c.types = append(c.types, http.DetectContentType(b))
	}
	return c
}

type reply struct {
	d   time.Duration
	err error
}

// classify sends image i (mod the number of images) and checks the answer.
func (c *client) classify(i int) reply {
	if len(c.images) == 0 {
		return reply{err: fmt.Errorf("no readable image")}
	}
	k := i % len(c.images)
	start := time.Now()
	resp, err := c.http.Post(c.base+"/v1/classify", c.types[k], bytes.NewReader(c.images[k]))
	if err != nil {
		return reply{err: err}
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	if err != nil {
		return reply{d, err}
	}
	if resp.StatusCode != http.StatusOK {
		return reply{d, fmt.Errorf("status %d: %.200s", resp.StatusCode, body)}
	}
	var r struct {
		Top []struct{ Index int } `json:"top"`
	}
	if err := json.Unmarshal(body, &r); err != nil || len(r.Top) == 0 {
		return reply{d, fmt.Errorf("bad answer: %.200s", body)}
	}
	return reply{d, nil}
}

// levelResult is one concurrency level's measurements.
type levelResult struct {
	lat      []time.Duration
	errors   int
	firstErr error
	wall     time.Duration
}

// level runs n clients, each sending per requests one after the other.
func (c *client) level(n, per int) levelResult {
	var (
		mu  sync.Mutex
		res levelResult
		wg  sync.WaitGroup
	)
	start := time.Now()
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				r := c.classify(w*per + i)
				mu.Lock()
				if r.err != nil {
					res.errors++
					if res.firstErr == nil {
						res.firstErr = r.err
					}
				} else {
					res.lat = append(res.lat, r.d)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res.wall = time.Since(start)
	return res
}

// percentile is the q-quantile of sorted latencies (nearest rank).
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func (r levelResult) print(n int, m metrics) {
	slices.Sort(r.lat)
	msf := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1e3) }
	ips := float64(len(r.lat)) / r.wall.Seconds()
	fwd, mean := "-", "-"
	if m.forwardSeconds > 0 {
		fwd = fmt.Sprintf("%.1f", m.images/m.forwardSeconds*max(m.lanes, 1))
	}
	if m.passes > 0 {
		mean = fmt.Sprintf("%.2f", m.images/m.passes)
	}
	fmt.Printf("%11d %8d %6d %8s %8s %7.1f %9s %10s  %s\n", n, len(r.lat)+r.errors, r.errors,
		msf(percentile(r.lat, 0.50)), msf(percentile(r.lat, 0.99)), ips, fwd, mean, m.sizes())
}
