package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/alexnet-go/alexnet/internal/testutil"
)

// Fixtures from testdata/gen/classify.py (PyTorch): narrow AlexNets with
// seeded random weights, their logits for the images in images.txt, and
// hashes of torchvision's input tensors.
const fixtures = "../../testdata/classify"

// narrowWeights is the narrow torchvision AlexNet of the fixtures
// (8-16-16-16-16 filters, 1000 classes), whose logits are tv_logits.npy.
var narrowWeights = filepath.Join(fixtures, "tv_narrow.pth")

// execute runs root with args in-process and returns stdout, stderr and
// the error Execute returned.
func execute(root *cobra.Command, args ...string) (string, string, error) {
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), errb.String(), err
}

// run executes the command line in-process and returns stdout, stderr and
// the error Execute returned.
func run(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	return execute(newRoot(), args...)
}

// images returns the paths of the fixture images of images.txt, whose
// logits the fixture .npy files hold in this order.
func images(t *testing.T) []string { return testutil.ClassifyImages(t) }

// writeFile writes data to dir/class/name, making the class folder, and
// returns the file's path.
func writeFile(t *testing.T, dir, class, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, class, name)
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// getJSON decodes the JSON answer to a GET of url into v.
func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// serveProc is `alexnet serve` running in-process on its own goroutine.
type serveProc struct {
	base   string               // the server's URL, without the trailing slash
	logs   *testutil.SyncBuffer // its stderr: the JSON log
	cancel context.CancelFunc
	done   chan error // receives Execute's error when it returns
}

// startServe runs `alexnet serve args...` (args must set --addr and
// ALEXNET_LOG_FORMAT=json) and returns once it logs its address and
// answers /readyz; the test's end stops it.
func startServe(t *testing.T, args ...string) *serveProc {
	t.Helper()
	root := newRoot()
	p := &serveProc{logs: &testutil.SyncBuffer{}, done: make(chan error, 1)}
	root.SetOut(io.Discard)
	root.SetErr(p.logs)
	root.SetArgs(append([]string{"serve"}, args...))
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	p.cancel = cancel
	go func() { p.done <- root.ExecuteContext(ctx) }()
	p.base = p.waitURL(t)
	waitReady(t, p.base)
	return p
}

// waitURL returns the listening address the server logs, failing the
// test when the server stops first or logs none within 20 s.
func (p *serveProc) waitURL(t *testing.T) string {
	t.Helper()
	urlRe := regexp.MustCompile(`"url":"(http://127\.0\.0\.1:\d+)/"`)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if m := urlRe.FindStringSubmatch(p.logs.String()); m != nil {
			return m[1]
		}
		select {
		case err := <-p.done:
			t.Fatalf("serve stopped: %v\n%s", err, p.logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no listening address logged:\n%s", p.logs.String())
		}
	}
}

// waitReady polls base's /readyz until it answers 200, for up to 20 s.
func waitReady(t *testing.T, base string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready: %v", err)
		}
	}
}

// stop ends the server's context, as SIGTERM does, and checks that it
// returns nil within 20 s.
func (p *serveProc) stop(t *testing.T) {
	t.Helper()
	p.cancel()
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("serve after its context ended: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
}
