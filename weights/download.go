package weights

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// DownloadOptions configure Download. A nil *DownloadOptions means
// http.DefaultClient and no progress reports.
type DownloadOptions struct {
	Client *http.Client
	// OnProgress, when set, is called after each chunk written with the
	// bytes so far and the size the server announced (-1 if none): the
	// caller shows progress its own way (the alexnet command draws a bar).
	OnProgress func(done, total int64)
}

// HTTPError reports a download answered with a status other than 200.
type HTTPError struct {
	URL    string
	Status string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("download %s: HTTP %s", e.URL, e.Status)
}

// ChecksumError reports downloaded bytes whose SHA-256 does not start with
// the expected prefix.
type ChecksumError struct {
	URL       string
	Want, Got string // expected prefix, full hex digest
}

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("download %s: SHA-256 %s does not start with %s (file corrupt or replaced); nothing was saved", e.URL, e.Got, e.Want)
}

// Download fetches url into dst. It streams into a temporary file in
// dst's directory while hashing, checks that the hex SHA-256 starts with
// sha256Prefix (an empty prefix skips the check), syncs, and renames the
// file to dst, so dst is either absent or complete. On any error the
// temporary file is removed. It is safe to call concurrently for
// different destinations.
func Download(ctx context.Context, url, dst, sha256Prefix string, opt *DownloadOptions) (err error) {
	client := http.DefaultClient
	var onProgress func(done, total int64)
	if opt != nil {
		if opt.Client != nil {
			client = opt.Client
		}
		onProgress = opt.OnProgress
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("download %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &HTTPError{URL: url, Status: resp.Status}
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".part*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	w := io.MultiWriter(tmp, h)
	if onProgress != nil {
		w = io.MultiWriter(w, &progressWriter{total: resp.ContentLength, f: onProgress})
	}
	if _, err = io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("download %s: %w", url, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); !strings.HasPrefix(got, strings.ToLower(sha256Prefix)) {
		return &ChecksumError{URL: url, Want: sha256Prefix, Got: got}
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}

// progressWriter counts the bytes written through it and reports them to f.
type progressWriter struct {
	done, total int64
	f           func(done, total int64)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	p.done += int64(len(b))
	p.f(p.done, p.total)
	return len(b), nil
}
