package jpeg

import (
	"bytes"
	stdjpeg "image/jpeg"
	"os"
	"path/filepath"
	"testing"
)

func benchInput(b *testing.B) []byte {
	data, err := os.ReadFile(filepath.Join(fixtures, "bench_500x375_420.jpg"))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkDecode decodes a 500x375 4:2:0 photo.
func BenchmarkDecode(b *testing.B) {
	data := benchInput(b)
	b.SetBytes(500 * 375 * 3)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeStdlib is the naive twin: the same file through image/jpeg
// (not bit-exact with Pillow, and returning YCbCr without conversion).
func BenchmarkDecodeStdlib(b *testing.B) {
	data := benchInput(b)
	b.SetBytes(500 * 375 * 3)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := stdjpeg.Decode(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeRGB decodes the same photo to packed RGB (what
// imageproc.Decode uses).
func BenchmarkDecodeRGB(b *testing.B) {
	data := benchInput(b)
	b.SetBytes(500 * 375 * 3)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeRGB(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
