package weights

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// payload is what the test server serves; its SHA-256 prefix is computed
// by crypto/sha256, not by the code under test.
var payload = bytes.Repeat([]byte("alexnet weights "), 4096)

func payloadPrefix() string {
	s := sha256.Sum256(payload)
	return hex.EncodeToString(s[:])[:8]
}

// server serves payload at /w.pth, 500 at /broken.pth, 404 elsewhere,
// and counts requests.
func server(t *testing.T) (*httptest.Server, *int) {
	n := new(int)
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*n++
		switch r.URL.Path {
		case "/w.pth":
			w.Write(payload)
		case "/broken.pth":
			http.Error(w, "boom", http.StatusInternalServerError)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s, n
}

// isolate points every cache and env variable at fresh temp dirs.
func isolate(t *testing.T) (home, torchHome string) {
	home, torchHome = t.TempDir(), t.TempDir()
	t.Setenv(EnvHome, home)
	t.Setenv(EnvTorch, torchHome)
	t.Setenv(EnvWeights, "")
	return home, torchHome
}

func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestDownloadSuccess(t *testing.T) {
	s, _ := server(t)
	dst := filepath.Join(t.TempDir(), "sub", "w.pth")
	var done, total int64
	onProgress := func(d, n int64) {
		if d < done {
			t.Errorf("progress went back from %d to %d bytes", done, d)
		}
		done, total = d, n
	}
	if err := Download(context.Background(), s.URL+"/w.pth", dst, payloadPrefix(), &DownloadOptions{OnProgress: onProgress}); err != nil {
		t.Fatal(err)
	}
	if done != int64(len(payload)) || (total != int64(len(payload)) && total != -1) {
		t.Errorf("last progress %d of %d bytes, want %d of %d (or of -1, unannounced)", done, total, len(payload), len(payload))
	}
	got, err := os.ReadFile(dst)
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("downloaded %d bytes (err %v), want %d", len(got), err, len(payload))
	}
	if names := dirEntries(t, filepath.Dir(dst)); len(names) != 1 {
		t.Errorf("directory holds %v, want only w.pth", names)
	}
}

func TestDownloadHashMismatchLeavesNothing(t *testing.T) {
	s, _ := server(t)
	dir := t.TempDir()
	dst := filepath.Join(dir, "w.pth")
	err := Download(context.Background(), s.URL+"/w.pth", dst, "00000000", nil)
	var ce *ChecksumError
	if !errors.As(err, &ce) || ce.Want != "00000000" || !strings.HasPrefix(ce.Got, payloadPrefix()) {
		t.Fatalf("err = %v, want ChecksumError want 00000000 got %s...", err, payloadPrefix())
	}
	if !strings.Contains(err.Error(), "does not start with 00000000") {
		t.Errorf("message %q", err)
	}
	if names := dirEntries(t, dir); len(names) != 0 {
		t.Errorf("cache holds %v after a bad download", names)
	}
}

func TestDownloadServerError(t *testing.T) {
	s, _ := server(t)
	dir := t.TempDir()
	err := Download(context.Background(), s.URL+"/broken.pth", filepath.Join(dir, "w.pth"), "", nil)
	var he *HTTPError
	if !errors.As(err, &he) || !strings.HasPrefix(he.Status, "500") {
		t.Fatalf("err = %v, want HTTPError 500", err)
	}
	if names := dirEntries(t, dir); len(names) != 0 {
		t.Errorf("cache holds %v after a failed download", names)
	}
}

func TestDownloadCanceled(t *testing.T) {
	s, _ := server(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	if err := Download(ctx, s.URL+"/w.pth", filepath.Join(dir, "w.pth"), "", nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func touch(t *testing.T, p string) string {
	t.Helper()
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestResolveOrder(t *testing.T) {
	home, torchHome := isolate(t)
	ctx := context.Background()
	off := &ResolveOptions{Offline: true}
	torchFile := touch(t, filepath.Join(torchHome, "hub", "checkpoints", OfficialFile))
	if p, err := Resolve(ctx, "", off); err != nil || p != torchFile {
		t.Errorf("torch cache: %q, %v; want %q", p, err, torchFile)
	}
	cacheFile := touch(t, filepath.Join(home, OfficialFile))
	if p, err := Resolve(ctx, "", off); err != nil || p != cacheFile {
		t.Errorf("our cache before torch's: %q, %v; want %q", p, err, cacheFile)
	}
	envFile := touch(t, filepath.Join(t.TempDir(), "env.pth"))
	t.Setenv(EnvWeights, envFile)
	if p, err := Resolve(ctx, "", off); err != nil || p != envFile {
		t.Errorf("$ALEXNET_WEIGHTS: %q, %v; want %q", p, err, envFile)
	}
	flagFile := touch(t, filepath.Join(t.TempDir(), "flag.pth"))
	if p, err := Resolve(ctx, flagFile, off); err != nil || p != flagFile {
		t.Errorf("explicit: %q, %v; want %q", p, err, flagFile)
	}
	// A missing explicit or env file is an error, not a fallback.
	if _, err := Resolve(ctx, flagFile+".missing", off); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing explicit file: %v", err)
	}
	t.Setenv(EnvWeights, envFile+".missing")
	if _, err := Resolve(ctx, "", off); err == nil || !strings.Contains(err.Error(), "ALEXNET_WEIGHTS") {
		t.Errorf("missing env file: %v", err)
	}
}

func TestResolveDownloadsIntoCacheOnce(t *testing.T) {
	home, _ := isolate(t)
	s, n := server(t)
	opt := &ResolveOptions{URL: s.URL + "/w.pth", SHA256Prefix: payloadPrefix()}
	p, err := Resolve(context.Background(), "", opt)
	if want := filepath.Join(home, "w.pth"); err != nil || p != want {
		t.Fatalf("Resolve = %q, %v; want %q", p, err, want)
	}
	if _, err := Resolve(context.Background(), "", opt); err != nil || *n != 1 {
		t.Errorf("second Resolve: err %v, %d requests; want 1 (cached)", err, *n)
	}
}

func TestResolveReusesTorchCache(t *testing.T) {
	_, torchHome := isolate(t)
	s, n := server(t)
	torchFile := touch(t, filepath.Join(torchHome, "hub", "checkpoints", "w.pth"))
	p, err := Resolve(context.Background(), "", &ResolveOptions{URL: s.URL + "/w.pth"})
	if err != nil || p != torchFile || *n != 0 {
		t.Errorf("Resolve = %q, %v after %d requests; want %q without downloading", p, err, *n, torchFile)
	}
}

func TestResolveOfflineMessage(t *testing.T) {
	home, torchHome := isolate(t)
	_, err := Resolve(context.Background(), "", &ResolveOptions{Offline: true, Explicit: "the --weights flag"})
	var nf *NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("err = %v, want *NotFoundError", err)
	}
	msg := err.Error()
	for _, want := range []string{
		OfficialURL,
		filepath.Join(home, OfficialFile),
		filepath.Join(torchHome, "hub", "checkpoints", OfficialFile),
		"--weights flag", "ALEXNET_WEIGHTS",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	// Without Explicit, the library names no flag of any program.
	_, err = Resolve(context.Background(), "", &ResolveOptions{Offline: true})
	if msg := err.Error(); strings.Contains(msg, "--") || !strings.Contains(msg, "with an explicit path or the ALEXNET_WEIGHTS") {
		t.Errorf("message without Explicit:\n%s", msg)
	}
	_, err = Resolve(context.Background(), filepath.Join(home, "none.pth"), nil)
	if err == nil || !strings.Contains(err.Error(), "(given with an explicit path): file does not exist") {
		t.Errorf("missing explicit file: %v", err)
	}
}

func TestResolveHTTPErrorMessage(t *testing.T) {
	home, _ := isolate(t)
	s, _ := server(t)
	_, err := Resolve(context.Background(), "", &ResolveOptions{URL: s.URL + "/broken.pth"})
	var he *HTTPError
	if !errors.As(err, &he) {
		t.Fatalf("err = %v, want it to wrap *HTTPError", err)
	}
	for _, want := range []string{"HTTP 500", s.URL + "/broken.pth", filepath.Join(home, "broken.pth")} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q:\n%s", want, err)
		}
	}
	if names := dirEntries(t, home); len(names) != 0 {
		t.Errorf("cache holds %v", names)
	}
}
