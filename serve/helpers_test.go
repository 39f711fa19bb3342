package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alexnet-go/alexnet/predict"
)

// The model of the tests: a narrow torchvision AlexNet (8-16-16-16-16
// filters, 1000 classes) with seeded random weights, saved by torch.save
// (testdata/gen/classify.py); its forward pass takes a few milliseconds.
const narrowWeights = "../testdata/classify/tv_narrow.pth"

// photos are fixtures of each format: a 500x375 photo-like JPEG and small
// PIL-made files.
var photos = []string{
	"../testdata/jpeg/bench_500x375_420.jpg",
	"../testdata/imageproc/jpeg_cmyk.jpg",
	"../testdata/imageproc/png_rgba.png",
	"../testdata/imageproc/resize_301x271.png",
	"../testdata/imageproc/gif_p.gif",
	"../testdata/imageproc/bmp_rgb.bmp",
	"../testdata/imageproc/webp_lossy.webp",
	"../testdata/imageproc/tiff_rgb.tif",
}

func loadNarrow(t testing.TB) *predict.Predictor {
	t.Helper()
	p, err := predict.Load("torchvision", narrowWeights, 2)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// quietLogger discards the request logs.
func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// newTestServer starts a Server on the narrow model behind an httptest
// server and waits until it is warm; both are closed when the test ends.
func newTestServer(t testing.TB, opt *Options) (*Server, *httptest.Server) {
	t.Helper()
	if opt == nil {
		opt = &Options{}
	}
	if opt.Logger == nil {
		opt.Logger = quietLogger()
	}
	s := New(loadNarrow(t), opt)
	return s, newHTTPTestServer(t, s)
}

// newHTTPTestServer serves s's handler and waits until s is warm; both
// are closed when the test ends.
func newHTTPTestServer(t testing.TB, s *Server) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		ts.Close()
		s.Close()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	return ts
}

// multipartBody builds a multipart/form-data body with one part per file,
// each in the field named field.
func multipartBody(t testing.TB, field string, files map[string][]byte, order []string) (*bytes.Buffer, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, name := range order {
		w, err := mw.CreateFormFile(field, filepath.Base(name))
		if err != nil {
			t.Fatal(err)
		}
		w.Write(files[name])
	}
	mw.Close()
	return &b, mw.FormDataContentType()
}

// do sends a request and returns the status, the headers and the body.
func do(t testing.TB, method, url, contentType string, body io.Reader) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// decodeJSON unmarshals b into v, failing the test on malformed JSON.
func decodeJSON(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("answer is not JSON (%v): %.200s", err, b)
	}
}

// metricValue scrapes url's /metrics and returns the value of the series
// named exactly series (with its labels, as printed: `name{a="b"}`); 0 when
// absent.
func metricValue(t testing.TB, url, series string) float64 {
	t.Helper()
	_, _, body := do(t, "GET", url+"/metrics", "", nil)
	for line := range strings.Lines(string(body)) {
		name, val, ok := strings.Cut(strings.TrimSpace(line), " ")
		if ok && name == series {
			v, err := strconv.ParseFloat(val, 64)
			if err != nil {
				t.Fatalf("metric %s: %v", series, err)
			}
			return v
		}
	}
	return 0
}
