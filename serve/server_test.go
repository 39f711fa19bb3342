package serve

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexnet-go/alexnet/internal/testutil"
)

// Concurrent requests share forward passes: eight clients at once, with a
// batch allowed to wait 300 ms to fill, take fewer passes than images.
func TestConcurrentRequestsShareBatches(t *testing.T) {
	_, ts := newTestServer(t, &Options{MaxBatch: 8, MaxWait: 300 * time.Millisecond})
	before := metricValue(t, ts.URL, "alexnet_batch_size_count")
	photo := testutil.ReadFile(t, photos[0])
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		largest int
	)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, _, body := do(t, "POST", ts.URL+"/v1/classify", "image/jpeg", bytes.NewReader(photo))
			if code != 200 {
				t.Errorf("status %d: %s", code, body)
				return
			}
			var r ClassifyResponse
			decodeJSON(t, body, &r)
			mu.Lock()
			largest = max(largest, r.Batch)
			mu.Unlock()
		}()
	}
	wg.Wait()
	passes := metricValue(t, ts.URL, "alexnet_batch_size_count") - before
	images := metricValue(t, ts.URL, "alexnet_batch_size_sum") - 1 // less the warm-up image
	if largest < 2 || passes >= 8 || images != 8 {
		t.Errorf("8 concurrent requests: largest batch %d, %v forward passes for %v images", largest, passes, images)
	}
	t.Logf("8 concurrent requests: %v forward passes, largest batch %d", passes, largest)
}

// Every answer carries X-Request-Id (the client's, when it sent a sensible
// one), and the request's log line has it with the status and the error.
func TestRequestIDAndLogs(t *testing.T) {
	var logs testutil.SyncBuffer
	_, ts := newTestServer(t, &Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	req, _ := http.NewRequest("POST", ts.URL+"/v1/classify", strings.NewReader("hello"))
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set("X-Request-Id", "client-id-42")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Request-Id"); got != "client-id-42" {
		t.Errorf("X-Request-Id %q, want the client's", got)
	}
	if l := logs.String(); !strings.Contains(l, `"request_id":"client-id-42"`) || !strings.Contains(l, `"status":415`) ||
		!strings.Contains(l, `"err":"415 content type`) {
		t.Errorf("log lacks the request id, status or error:\n%s", l)
	}
	req, _ = http.NewRequest("GET", ts.URL+"/v1/model", nil)
	req.Header.Set("X-Request-Id", "bad id\twith spaces")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Request-Id"); !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(got) {
		t.Errorf("generated X-Request-Id %q", got)
	}
}

// /healthz, /readyz, /v1/model, /metrics and the page answer GET; after
// Close, /readyz and classification say 503 while /healthz stays up.
func TestProbesPageAndMetrics(t *testing.T) {
	s, ts := newTestServer(t, nil)
	photo := testutil.ReadFile(t, photos[0])
	do(t, "POST", ts.URL+"/v1/classify", "image/jpeg", bytes.NewReader(photo))
	do(t, "POST", ts.URL+"/v1/classify", "text/plain", strings.NewReader("x"))
	for _, c := range []struct{ path, contentType, contains string }{
		{"/healthz", "application/json", `"ok"`},
		{"/readyz", "application/json", `"ready"`},
		{"/v1/model", "application/json", `"classes":1000,"input_size":224`},
		{"/", "text/html", `<script src="/static/app.js"`},
		{"/static/app.js", "text/javascript", `fetch("/v1/classify`},
		{"/static/style.css", "text/css", `.bars`},
		{"/metrics", "text/plain", `alexnet_http_requests_total{code="200",handler="classify"} 1`},
	} {
		code, h, body := do(t, "GET", ts.URL+c.path, "", nil)
		if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), c.contentType) || !strings.Contains(string(body), c.contains) {
			t.Errorf("GET %s: %d %s, want %s containing %q:\n%.300s", c.path, code, h.Get("Content-Type"), c.contentType, c.contains, body)
		}
	}
	if code, h, _ := do(t, "GET", ts.URL+"/", "", nil); code != 200 || !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'self'") {
		t.Errorf("page headers: %v", h)
	}
	if code, _, body := do(t, "GET", ts.URL+"/static/", "", nil); code != 404 || !strings.Contains(string(body), `"error"`) {
		t.Errorf("GET /static/: %d %s, want a JSON 404 (no listing)", code, body)
	}
	_, _, m := do(t, "GET", ts.URL+"/metrics", "", nil)
	for _, series := range []string{
		`alexnet_http_requests_total{code="415",handler="classify"} 1`,
		`alexnet_http_request_duration_seconds_bucket{handler="classify",le="+Inf"} 2`,
		`alexnet_batch_size_bucket{le="1"}`, `alexnet_forward_duration_seconds_count`,
		`alexnet_decode_duration_seconds_count 1`, `alexnet_queue_depth 0`, `alexnet_inflight_images 0`,
		`alexnet_images_total{result="ok"} 1`, `alexnet_images_total{result="error"} 1`,
		`go_goroutines`, `process_resident_memory_bytes`,
	} {
		if !strings.Contains(string(m), series) {
			t.Errorf("/metrics lacks %s", series)
		}
	}

	s.Close()
	if code, _, body := do(t, "GET", ts.URL+"/readyz", "", nil); code != 503 || !strings.Contains(string(body), "shutting down") {
		t.Errorf("/readyz after Close: %d %s", code, body)
	}
	if code, h, _ := do(t, "POST", ts.URL+"/v1/classify", "image/jpeg", bytes.NewReader(photo)); code != 503 || h.Get("Retry-After") == "" {
		t.Errorf("classify after Close: %d", code)
	}
	if code, _, _ := do(t, "GET", ts.URL+"/healthz", "", nil); code != 200 {
		t.Errorf("/healthz after Close: %d", code)
	}
}

// Serve shuts down gracefully: a request in flight when the context ends
// (its body still arriving) is answered in full, Serve returns nil, and
// the port no longer accepts connections.
func TestGracefulShutdown(t *testing.T) {
	s := New(loadNarrow(t), &Options{Logger: quietLogger()})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln, Timeouts{Shutdown: 10 * time.Second}) }()
	if err := s.WaitReady(context.Background()); err != nil {
		t.Fatal(err)
	}
	photo := testutil.ReadFile(t, photos[0])
	pr, pw := io.Pipe()
	type answer struct {
		code int
		body string
	}
	inflight := make(chan answer, 1)
	go func() {
		req, _ := http.NewRequest("POST", url+"/v1/classify", pr)
		req.Header.Set("Content-Type", "image/jpeg")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			inflight <- answer{body: err.Error()}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		inflight <- answer{resp.StatusCode, string(b)}
	}()
	pw.Write(photo[:1000])
	waitFor(t, func() bool { return metricValue(t, url, "alexnet_inflight_images") == 1 }, "request admitted")
	cancel() // SIGTERM
	waitFor(t, func() bool {
		c, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second)
		if err == nil {
			c.Close()
		}
		return err != nil
	}, "listener closed")
	select {
	case err := <-served:
		t.Fatalf("Serve returned (%v) with a request in flight", err)
	default:
	}
	pw.Write(photo[1000:])
	pw.Close()
	if a := <-inflight; a.code != 200 || !strings.Contains(a.body, `"top"`) {
		t.Errorf("in-flight request: %d %s", a.code, a.body)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after the last request")
	}
	if _, _, err := s.batcher.Submit(context.Background(), nil); !errors.Is(err, ErrClosed) {
		t.Errorf("batcher after shutdown: %v", err)
	}
}

// Under load (good and bad requests from 16 clients) no goroutine is left
// behind, and a thousand bad requests do not grow the heap.
func TestNoLeaksUnderLoad(t *testing.T) {
	_, ts := newTestServer(t, &Options{MaxBodyBytes: 64 << 10, MaxImages: 3})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	photo := testutil.ReadFile(t, photos[0])
	cases := badCases(t)
	send := func(i int) {
		var req *http.Request
		if i%4 == 0 {
			req, _ = http.NewRequest("POST", ts.URL+"/v1/classify", bytes.NewReader(photo))
			req.Header.Set("Content-Type", "image/jpeg")
		} else {
			c := cases[i%len(cases)]
			req, _ = http.NewRequest(c.method, ts.URL+c.path, c.body())
			if c.contentType != "" {
				req.Header.Set("Content-Type", c.contentType)
			}
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Error(err)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	load := func(n int) {
		var wg sync.WaitGroup
		for w := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < n; i += 16 {
					send(i)
				}
			}()
		}
		wg.Wait()
	}
	load(64) // warm the connections, pools and metric series
	client.CloseIdleConnections()
	settle(t)
	goroutines := runtime.NumGoroutine()
	heap := heapInUse()

	load(1000)
	client.CloseIdleConnections()
	waitFor(t, func() bool { return runtime.NumGoroutine() <= goroutines }, "goroutines back to the baseline")
	settle(t)
	grown := float64(heapInUse()-heap) / float64(heap)
	t.Logf("heap in use %.1f MB before, %+.1f%% after 1000 requests; %d goroutines", float64(heap)/1e6, 100*grown, runtime.NumGoroutine())
	if grown > 0.10 {
		t.Errorf("heap grew %.0f%% over 1000 requests", 100*grown)
	}
}

// settle lets connection goroutines end and collects garbage.
func settle(t *testing.T) {
	time.Sleep(100 * time.Millisecond)
	runtime.GC()
	runtime.GC()
}

func heapInUse() int64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}
