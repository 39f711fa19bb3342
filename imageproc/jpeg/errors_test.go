package jpeg

import (
	"bytes"
	"errors"
	"math/rand"
	"path/filepath"
	"testing"
)

// TestTruncated cuts every fixture at many lengths. Pillow raises "image
// file is truncated" for any JPEG that ends before its EOI marker, so
// Decode must return a FormatError, and never panic.
func TestTruncated(t *testing.T) {
	for _, f := range fixtureFiles(t, "*.jpg") {
		data := readFixture(t, f)
		step := max(1, len(data)/40)
		for n := 0; n < len(data)-1; n += step {
			_, err := Decode(bytes.NewReader(data[:n]))
			var fe FormatError
			var ue UnsupportedError
			if !errors.As(err, &fe) && !errors.As(err, &ue) {
				t.Errorf("%s cut to %d bytes: err = %v, want FormatError", filepath.Base(f), n, err)
			}
		}
		if _, err := Decode(bytes.NewReader(data[:len(data)-2])); err == nil {
			t.Errorf("%s without EOI decoded; Pillow reports truncation", filepath.Base(f))
		}
	}
}

// TestGarbage feeds random bytes and randomly corrupted fixtures; any
// result is fine except a panic or an untyped error.
func TestGarbage(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	var files [][]byte
	for _, name := range []string{"pil_420_prog.jpg", "cj_arith_mixed.jpg", "cj_arith_dac_seq.jpg"} {
		files = append(files, readFixture(t, name))
	}
	for i := 0; i < 600; i++ {
		data := files[(i/3)%len(files)]
		var in []byte
		if i%3 == 0 {
			in = make([]byte, rng.Intn(400))
			rng.Read(in)
		} else {
			in = append([]byte(nil), data...)
			for j := 0; j < 1+rng.Intn(8); j++ {
				in[rng.Intn(len(in))] = byte(rng.Intn(256))
			}
		}
		_, err := Decode(bytes.NewReader(in))
		var fe FormatError
		var ue UnsupportedError
		if err != nil && !errors.As(err, &fe) && !errors.As(err, &ue) {
			t.Errorf("input %d: untyped error %v", i, err)
		}
	}
}

// TestHugeHeader: a frame header claiming 65500x65500 pixels is rejected
// before pixel memory is allocated.
func TestHugeHeader(t *testing.T) {
	in := []byte{0xFF, 0xD8,
		0xFF, 0xDB, 0, 67, 0}
	in = append(in, bytes.Repeat([]byte{1}, 64)...)
	in = append(in, 0xFF, 0xC0, 0, 11, 8, 0xFF, 0xDC, 0xFF, 0xDC, 1, 1, 0x11, 0)
	in = append(in, 0xFF, 0xC4, 0, 20, 0x00, 1)
	in = append(in, make([]byte, 15)...)
	in = append(in, 0, 0xFF, 0xC4, 0, 20, 0x10, 1)
	in = append(in, make([]byte, 15)...)
	in = append(in, 0, 0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0, 0, 0xFF, 0xD9)
	_, err := Decode(bytes.NewReader(in))
	var ue UnsupportedError
	if !errors.As(err, &ue) {
		t.Errorf("65500x65500 image: %v, want UnsupportedError", err)
	}
}
