// Command loadtest measures `alexnet serve` on this machine: for each
// concurrency level, that many clients each send a fixed number of
// POST /v1/classify requests, and it prints the requests, errors, p50 and
// p99 latency, images per second and the batch sizes the server formed
// (from its /metrics). With -bad N it then sends N bad requests and
// reports the server's resident memory before and after, and /healthz.
//
// img/s is answers per second of wall time, decoding included; fwd img/s
// is images per second of the server's forward passes (their time summed
// in /metrics, over the number of lanes running passes at once), the
// model's own throughput inside the server, to set beside `alexnet bench
// --batch B` at the batch sizes listed.
//
// scripts/servebench.sh alternates this with `alexnet bench` and fresh
// servers and prints the served share of bench's images/s.
//
// With -check FILE it instead posts each image of FILE, the output of
// `alexnet classify --json` on the server's weights, and compares the
// classes and probabilities.
//
// It talks to loopback addresses only, and every run is bounded: levels
// x clients x requests, each with a timeout.
//
//	go run ./scripts/loadtest -url http://127.0.0.1:8080 -c 1,8,32 -n 20 -bad 1000
//	go run ./scripts/loadtest -weights W.pth            # starts its own server on 127.0.0.1
//	alexnet classify --json --weights W.pth photos/* > ref.jsonl
//	go run ./scripts/loadtest -url http://127.0.0.1:8080 -check ref.jsonl
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/alexnet-go/alexnet/predict"
	"github.com/alexnet-go/alexnet/serve"
)

func main() {
	var (
		target   = flag.String("url", "", "server to test (loopback only); empty: start one in this process")
		weights  = flag.String("weights", os.Getenv("ALEXNET_WEIGHTS"), "without -url: weights of the in-process server")
		arch     = flag.String("arch", "torchvision", "without -url: architecture")
		threads  = flag.Int("threads", 0, "without -url: forward-pass threads (0: all cores)")
		maxBatch = flag.Int("max-batch", 8, "without -url: the server's --max-batch")
		maxWait  = flag.Duration("max-wait", 5*time.Millisecond, "without -url: the server's --max-wait")
		lanes    = flag.Int("lanes", 0, "without -url: the server's --lanes (0: its default)")
		images   = flag.String("images", "testdata/jpeg/bench_500x375_420.jpg", "comma-separated image files, or a folder of them, sent in turn")
		limit    = flag.Int("limit", 200, "use at most this many of the image files")
		levels   = flag.String("c", "1,8,32", "comma-separated concurrency levels")
		perConn  = flag.Int("n", 20, "requests per client at each level")
		timeout  = flag.Duration("timeout", time.Minute, "timeout of one request")
		bad      = flag.Int("bad", 0, "then send this many bad requests and report the server's RSS before and after")
		check    = flag.String("check", "", "instead: compare /v1/classify with this output of `alexnet classify --json` (same weights)")
		cpuprof  = flag.String("cpuprofile", "", "write a CPU profile of this process over the levels (with the in-process server: the server's too)")
	)
	flag.Parse()
	var err error
	if *check != "" {
		err = runCheck(*target, *check, *timeout)
	} else {
		err = withProfile(*cpuprof, func() error {
			return run(*target, *weights, *arch, *threads, *maxBatch, *maxWait, *lanes, *images, *limit, *levels, *perConn, *timeout, *bad)
		})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

// withProfile runs f, under a CPU profile written to path unless path is
// empty.
func withProfile(path string, f func() error) error {
	if path == "" {
		return f()
	}
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.StartCPUProfile(out); err != nil {
		out.Close()
		return err
	}
	err = f()
	pprof.StopCPUProfile()
	return errors.Join(err, out.Close())
}

func run(target, weights, arch string, threads, maxBatch int, maxWait time.Duration, lanes int,
	images string, limit int, levels string, perConn int, timeout time.Duration, bad int) error {
	conc, err := parseLevels(levels)
	if err != nil {
		return err
	}
	if perConn < 1 || perConn > 1000 || bad < 0 || bad > 100000 {
		return errors.New("-n must be 1..1000 and -bad 0..100000")
	}
	files, err := imageFiles(images)
	if err != nil {
		return err
	}
	files = files[:min(len(files), max(limit, 1))]
	if target == "" {
		if weights == "" {
			return errors.New("give -url, or -weights for an in-process server")
		}
		stop, u, err := startServer(weights, arch, threads, maxBatch, maxWait, lanes)
		if err != nil {
			return err
		}
		defer stop()
		target = u
	}
	if err := loopbackOnly(target); err != nil {
		return err
	}
	target = strings.TrimSuffix(target, "/")
	c := newClient(target, timeout, files)
	if err := c.waitReady(30 * time.Second); err != nil {
		return err
	}
	if r := c.classify(0); r.err != nil { // warm the connection and the model
		return fmt.Errorf("first request: %w", r.err)
	}
	fmt.Printf("server %s, %d image file(s), %d requests per client\n\n", target, len(files), perConn)
	fmt.Printf("%11s %8s %6s %8s %8s %7s %9s %10s  %s\n",
		"concurrency", "requests", "errors", "p50 ms", "p99 ms", "img/s", "fwd img/s", "mean batch", "batch sizes (size:passes)")
	for _, n := range conc {
		before, err := c.scrape()
		if err != nil {
			return err
		}
		res := c.level(n, perConn)
		after, err := c.scrape()
		if err != nil {
			return err
		}
		res.print(n, after.sub(before))
		if res.firstErr != nil {
			fmt.Printf("%11s first error: %v\n", "", res.firstErr)
		}
	}
	if bad > 0 {
		return c.badRequests(bad)
	}
	return nil
}

// runCheck compares a running server with `alexnet classify --json`.
func runCheck(target, path string, timeout time.Duration) error {
	if err := loopbackOnly(target); err != nil {
		return err
	}
	c := newClient(strings.TrimSuffix(target, "/"), timeout, nil)
	if err := c.waitReady(30 * time.Second); err != nil {
		return err
	}
	return c.check(path)
}

// startServer runs a serve.Server on a free loopback port; stop shuts it
// down.
func startServer(weights, arch string, threads, maxBatch int, maxWait time.Duration, lanes int) (stop func(), url string, err error) {
	p, err := predict.Load(arch, weights, threads)
	if err != nil {
		return nil, "", err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	s := serve.New(p, &serve.Options{Model: arch + "/" + filepath.Base(weights), MaxBatch: maxBatch, MaxWait: maxWait, Lanes: lanes,
		Logger: slog.New(slog.DiscardHandler)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln, serve.Timeouts{}) }()
	return func() { cancel(); <-done }, "http://" + ln.Addr().String(), nil
}

// loopbackOnly refuses any server that is not on this machine's loopback.
func loopbackOnly(target string) error {
	u, err := url.Parse(target)
	if err != nil {
		return err
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-url %s: only loopback servers (127.0.0.0/8, ::1, localhost) are tested", target)
}

func parseLevels(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 256 {
			return nil, fmt.Errorf("-c %q: want levels from 1 to 256", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// imageFiles lists the images to send: the named files, or a folder's.
func imageFiles(spec string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(spec, ",") {
		st, err := os.Stat(f)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, f)
			continue
		}
		es, err := os.ReadDir(f)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			if !e.IsDir() {
				out = append(out, filepath.Join(f, e.Name()))
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no images")
	}
	return out, nil
}

// waitReady polls /readyz.
func (c *client) waitReady(d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		resp, err := c.http.Get(c.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s/readyz not ready after %v (%v)", c.base, d, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
