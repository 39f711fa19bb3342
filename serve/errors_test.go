package serve

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/alexnet-go/alexnet/internal/testutil"
)

// smallImage is a 4x3 image to encode and then forge headers on.
func smallImage() *image.Paletted {
	m := image.NewPaletted(image.Rect(0, 0, 4, 3), color.Palette{color.Black, color.White})
	m.Pix[5] = 1
	return m
}

// encodeSmall returns smallImage encoded by enc.
func encodeSmall(t testing.TB, enc func(io.Writer, image.Image) error) []byte {
	var b bytes.Buffer
	if err := enc(&b, smallImage()); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// hugePNG is a valid PNG whose IHDR (with a correct CRC) says w×h.
func hugePNG(t testing.TB, w, h uint32) []byte {
	d := encodeSmall(t, png.Encode)
	binary.BigEndian.PutUint32(d[16:], w)
	binary.BigEndian.PutUint32(d[20:], h)
	binary.BigEndian.PutUint32(d[29:], crc32.ChecksumIEEE(d[12:29]))
	return d
}

// hugeJPEG is a baseline JPEG whose frame header says w×h.
func hugeJPEG(t testing.TB, w, h uint16) []byte {
	d := encodeSmall(t, func(w io.Writer, m image.Image) error { return jpeg.Encode(w, m, nil) })
	i := bytes.Index(d, []byte{0xFF, 0xC0})
	if i < 0 {
		t.Fatal("no SOF0 in the encoded JPEG")
	}
	binary.BigEndian.PutUint16(d[i+5:], h)
	binary.BigEndian.PutUint16(d[i+7:], w)
	return d
}

// hugeGIF is a GIF whose logical screen is w×h.
func hugeGIF(t testing.TB, w, h uint16) []byte {
	d := encodeSmall(t, func(w io.Writer, m image.Image) error { return gif.Encode(w, m, nil) })
	binary.LittleEndian.PutUint16(d[6:], w)
	binary.LittleEndian.PutUint16(d[8:], h)
	return d
}

// hugeTIFF is a little-endian TIFF whose first IFD says w×h.
func hugeTIFF(w, h uint32) []byte {
	d := []byte("II*\x00\x08\x00\x00\x00\x02\x00")
	for _, e := range [][2]uint32{{256, w}, {257, h}} {
		d = binary.LittleEndian.AppendUint16(d, uint16(e[0]))
		d = binary.LittleEndian.AppendUint16(d, 4) // LONG
		d = binary.LittleEndian.AppendUint32(d, 1)
		d = binary.LittleEndian.AppendUint32(d, e[1])
	}
	return append(d, 0, 0, 0, 0)
}

// noLength hides a body's length, so that it is sent chunked.
type noLength struct{ io.Reader }

// badCase is one bad request and the status it must get.
type badCase struct {
	name, method, path, contentType string
	body                            func() io.Reader
	status                          int
}

// badCases are a request of each kind the API refuses. The server has
// MaxBodyBytes 64 KiB and MaxImages 3.
func badCases(t testing.TB) []badCase {
	photo := testutil.ReadFile(t, photos[0]) // 20 KB JPEG
	big := bytes.Repeat(photo, 4)            // 80 KB, over the limit
	raw := func(b []byte) func() io.Reader { return func() io.Reader { return bytes.NewReader(b) } }
	form := func(field string, parts ...[]byte) (func() io.Reader, string) {
		files := map[string][]byte{}
		var order []string
		for i, p := range parts {
			name := string(rune('a'+i)) + ".jpg"
			files[name] = p
			order = append(order, name)
		}
		b, ct := multipartBody(t, field, files, order)
		return raw(b.Bytes()), ct
	}
	textForm, textCT := form("image", []byte("hello, world"))
	bigForm, bigCT := form("image", big)
	wrongField, wrongCT := form("picture", photo)
	tooMany, tooManyCT := form("image", photo, photo, photo, photo)
	bombForm, bombCT := form("image", hugePNG(t, 30000, 30000))
	truncated := photo[:len(photo)/2]
	corruptPNG := hugePNG(t, 4, 3)
	corruptPNG[len(corruptPNG)-20] ^= 0xFF // inside IDAT: the checksum fails
	return []badCase{
		{"truncated JPEG", "POST", "/v1/classify", "image/jpeg", raw(truncated), 400},
		{"corrupt PNG", "POST", "/v1/classify", "image/png", raw(corruptPNG), 400},
		{"JPEG header only", "POST", "/v1/classify", "image/jpeg", raw([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 4}), 400},
		{"empty body", "POST", "/v1/classify", "image/jpeg", raw(nil), 400},
		{"top=0", "POST", "/v1/classify?top=0", "image/jpeg", raw(photo), 400},
		{"top=abc", "POST", "/v1/classify?top=abc", "image/jpeg", raw(photo), 400},
		{"top=1001", "POST", "/v1/classify/batch?top=1001", textCT, textForm, 400},
		{"no image field", "POST", "/v1/classify", wrongCT, wrongField, 400},
		{"batch without images", "POST", "/v1/classify/batch", wrongCT, wrongField, 400},
		{"multipart without boundary", "POST", "/v1/classify", "multipart/form-data", raw(photo), 400},
		{"bad content type", "POST", "/v1/classify", "image/", raw(photo), 400},
		{"GET classify", "GET", "/v1/classify", "", raw(nil), 405},
		{"PUT batch", "PUT", "/v1/classify/batch", "image/jpeg", raw(photo), 405},
		{"POST healthz", "POST", "/healthz", "", raw(nil), 405},
		{"POST page", "POST", "/", "", raw(nil), 405},
		{"DELETE metrics", "DELETE", "/metrics", "", raw(nil), 405},
		{"body over the limit", "POST", "/v1/classify", "image/jpeg", raw(big), 413},
		{"chunked body over the limit", "POST", "/v1/classify", "image/jpeg", func() io.Reader { return noLength{bytes.NewReader(big)} }, 413},
		{"multipart over the limit", "POST", "/v1/classify", bigCT, bigForm, 413},
		{"batch over the limit", "POST", "/v1/classify/batch", bigCT, bigForm, 413},
		{"too many images", "POST", "/v1/classify/batch", tooManyCT, tooMany, 413},
		{"text as text/plain", "POST", "/v1/classify", "text/plain", raw([]byte("hello")), 415},
		{"text as image/jpeg", "POST", "/v1/classify", "image/jpeg", raw([]byte("hello, world")), 415},
		{"SVG", "POST", "/v1/classify", "image/svg+xml", raw([]byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)), 415},
		{"JSON", "POST", "/v1/classify", "application/json", raw([]byte(`{"image": "x"}`)), 415},
		{"text in a form", "POST", "/v1/classify", textCT, textForm, 415},
		{"batch not multipart", "POST", "/v1/classify/batch", "image/jpeg", raw(photo), 415},
		{"PNG of 100000x100000", "POST", "/v1/classify", "image/png", raw(hugePNG(t, 100000, 100000)), 422},
		{"PNG of 4x2^31-1", "POST", "/v1/classify", "image/png", raw(hugePNG(t, 4, 1<<31-1)), 422},
		{"JPEG of 65000x65000", "POST", "/v1/classify", "image/jpeg", raw(hugeJPEG(t, 65000, 65000)), 422},
		{"GIF of 65535x65535", "POST", "/v1/classify", "image/gif", raw(hugeGIF(t, 65535, 65535)), 422},
		{"TIFF of 100000x100000", "POST", "/v1/classify", "image/tiff", raw(hugeTIFF(100000, 100000)), 422},
		{"bomb in a form", "POST", "/v1/classify", bombCT, bombForm, 422},
		{"unknown path", "GET", "/v2/classify", "", raw(nil), 404},
	}
}

// Each bad input gets its status and a JSON error in plain words; the
// pixel limit is applied from the header, before any decoding; the server
// answers /healthz afterwards.
func TestBadRequests(t *testing.T) {
	_, ts := newTestServer(t, &Options{MaxBodyBytes: 64 << 10, MaxImages: 3})
	for _, c := range badCases(t) {
		t.Run(c.name, func(t *testing.T) {
			decoded := metricValue(t, ts.URL, "alexnet_decode_duration_seconds_count")
			code, h, body := do(t, c.method, ts.URL+c.path, c.contentType, c.body())
			if code == 422 && metricValue(t, ts.URL, "alexnet_decode_duration_seconds_count") != decoded {
				t.Error("an image over the pixel limit was decoded; it must be refused from its header")
			}
			if code != c.status {
				t.Fatalf("status %d, want %d: %s", code, c.status, body)
			}
			if ct := h.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			var e errorBody
			decodeJSON(t, body, &e)
			if len(e.Error) < 10 || strings.Contains(e.Error, "%!") {
				t.Errorf("error message %q", e.Error)
			}
			if code == 405 && h.Get("Allow") == "" {
				t.Error("405 without Allow")
			}
			t.Logf("%d %s", code, e.Error)
		})
	}
	code, _, body := do(t, "GET", ts.URL+"/healthz", "", nil)
	if code != 200 || !strings.Contains(string(body), `"ok"`) {
		t.Errorf("/healthz after bad requests: %d %s", code, body)
	}
}

// A full queue answers 503 with Retry-After: the only place (Queue 1) is
// held by a request whose body is still arriving.
func TestQueueFull(t *testing.T) {
	_, ts := newTestServer(t, &Options{Queue: 1})
	photo := testutil.ReadFile(t, photos[0])
	pr, pw := io.Pipe()
	// Runs before the server's cleanup (cleanups run last first), so that a
	// failure below does not leave the server waiting for this upload.
	t.Cleanup(func() { pw.CloseWithError(errors.New("test over")) })
	first := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("POST", ts.URL+"/v1/classify", pr)
		req.Header.Set("Content-Type", "image/jpeg")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			first <- 0
			return
		}
		resp.Body.Close()
		first <- resp.StatusCode
	}()
	pw.Write(photo[:100])
	// Wait until the first request holds the place, sending nothing that
	// could take it first.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(metricsText(t, ts.URL), "alexnet_inflight_images 1") {
		if time.Now().After(deadline) {
			t.Fatal("the first request was not admitted")
		}
		time.Sleep(5 * time.Millisecond)
	}
	code, h, body := do(t, "POST", ts.URL+"/v1/classify", "image/jpeg", bytes.NewReader(photo))
	if code != http.StatusServiceUnavailable || h.Get("Retry-After") == "" || !strings.Contains(string(body), "busy") {
		t.Errorf("while the queue was full: %d %v %s", code, h, body)
	}
	pw.Write(photo[100:])
	pw.Close()
	if code := <-first; code != http.StatusOK {
		t.Errorf("the request holding the queue got %d", code)
	}
	code, _, body = do(t, "POST", ts.URL+"/v1/classify", "image/jpeg", bytes.NewReader(photo))
	if code != http.StatusOK {
		t.Errorf("after the queue drained: %d %s", code, body)
	}
}

// metricsText is the body of GET /metrics.
func metricsText(t *testing.T, base string) string {
	t.Helper()
	_, _, body := do(t, "GET", base+"/metrics", "", nil)
	return string(body)
}
