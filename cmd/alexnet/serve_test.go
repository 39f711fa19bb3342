package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexnet-go/alexnet/serve"
)

// syncBuffer is a bytes.Buffer safe for a logger writing while the test
// reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// `alexnet serve` end to end: flags and ALEXNET_* variables (a flag wins),
// the listening address in the log, a classification with the same top-5
// as `alexnet classify --json`, the body limit, and a clean stop when its
// context ends (as on SIGTERM).
func TestServeCommand(t *testing.T) {
	t.Setenv("ALEXNET_MAX_BATCH", "3")
	t.Setenv("ALEXNET_MAX_IMAGES", "5")
	t.Setenv("ALEXNET_MAX_BODY", "1MiB") // the flag below wins
	t.Setenv("ALEXNET_LOG_FORMAT", "json")
	weights := filepath.Join(fixtures, "tv_narrow.pth")
	root := newRoot()
	var stderr syncBuffer
	root.SetOut(io.Discard)
	root.SetErr(&stderr)
	root.SetArgs([]string{"serve", "--weights", weights, "--addr", "127.0.0.1:0", "--max-body", "100KiB", "--threads", "1"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()

	urlRe := regexp.MustCompile(`"url":"(http://127\.0\.0\.1:\d+)/"`)
	var base string
	for deadline := time.Now().Add(20 * time.Second); base == ""; time.Sleep(20 * time.Millisecond) {
		if m := urlRe.FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
		}
		select {
		case err := <-done:
			t.Fatalf("serve stopped: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no listening address logged:\n%s", stderr.String())
		}
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready: %v", err)
		}
	}

	var info serve.ModelInfo
	getJSON(t, base+"/v1/model", &info)
	if info.MaxBatch != 3 || info.MaxImages != 5 || info.MaxBodyBytes != 100<<10 || info.Model != "torchvision/tv_narrow.pth" {
		t.Errorf("settings %+v: want max_batch 3 and max_images 5 from the environment, max_body 100 KiB from the flag", info)
	}

	img := images(t)[0] // jpeg_420.jpg
	stdout, _, err := run(t, "classify", "--json", "--weights", weights, img)
	if err != nil {
		t.Fatal(err)
	}
	var want classifyLine
	if err := json.Unmarshal([]byte(stdout), &want); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(base+"/v1/classify", "image/jpeg", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var got serve.ClassifyResponse
	json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(got.Top) != 5 {
		t.Fatalf("classify: %d %+v", resp.StatusCode, got)
	}
	for i := range want.Top {
		if got.Top[i] != want.Top[i] {
			t.Errorf("rank %d: serve %+v, classify --json %+v", i, got.Top[i], want.Top[i])
		}
	}

	resp, err = http.Post(base+"/v1/classify", "image/png", bytes.NewReader(make([]byte, 200<<10)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("200 KiB body with --max-body 100KiB: %d", resp.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after its context ended: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	if l := stderr.String(); !strings.Contains(l, `"msg":"stopped"`) || !strings.Contains(l, `"request_id"`) {
		t.Errorf("log lacks the stop or the request ids:\n%s", l)
	}
}

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

// Bad settings are refused before the server starts, naming the flag or
// the variable.
func TestServeSettingsErrors(t *testing.T) {
	weights := filepath.Join(fixtures, "tv_narrow.pth")
	for _, c := range []struct {
		env, val string
		args     []string
		want     string
	}{
		{"ALEXNET_MAX_WAIT", "soon", nil, "$ALEXNET_MAX_WAIT"},
		{"ALEXNET_MAX_BODY", "-3", nil, "$ALEXNET_MAX_BODY"},
		{"", "", []string{"--max-body", "12 parsecs"}, "max-body"},
		{"", "", []string{"--log-format", "xml"}, "--log-format"},
		{"", "", []string{"--log-level", "loud"}, "--log-level"},
	} {
		if c.env != "" {
			t.Setenv(c.env, c.val)
		}
		_, _, err := run(t, append([]string{"serve", "--weights", weights, "--addr", "127.0.0.1:0"}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s=%q %v: err %v, want one naming %s", c.env, c.val, c.args, err, c.want)
		}
		if c.env != "" {
			os.Unsetenv(c.env)
		}
	}
}

// byteSize parses plain bytes and binary and decimal units.
func TestByteSize(t *testing.T) {
	for in, want := range map[string]int64{"1048576": 1 << 20, "512KiB": 512 << 10, "32MiB": 32 << 20, "10MB": 10e6, "1GiB": 1 << 30, "7 B": 7} {
		var b byteSize
		if err := b.Set(in); err != nil || int64(b) != want {
			t.Errorf("%q: %d, %v; want %d", in, b, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1MiB", "MiB", "1.5MiB", "99999999999GiB"} {
		var b byteSize
		if err := b.Set(in); err == nil {
			t.Errorf("%q accepted as %d", in, b)
		}
	}
	var b byteSize
	if err := b.Set("x"); !strings.Contains(err.Error(), "32MiB") || errors.Unwrap(err) != nil {
		t.Errorf("error %v", err)
	}
}
