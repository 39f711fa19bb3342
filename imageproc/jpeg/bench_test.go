package jpeg

import (
	"bytes"
	"image"
	stdjpeg "image/jpeg"
	"io"
	"testing"
)

// benchDecode decodes a 500x375 4:2:0 photo with decode, b.N times.
func benchDecode(b *testing.B, decode func(io.Reader) (image.Image, error)) {
	data := readFixture(b, "bench_500x375_420.jpg")
	b.SetBytes(500 * 375 * 3)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decode(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode decodes a 500x375 4:2:0 photo.
func BenchmarkDecode(b *testing.B) { benchDecode(b, Decode) }

// BenchmarkDecodeStdlib is the naive twin: the same file through image/jpeg
// (not bit-exact with Pillow, and returning YCbCr without conversion).
func BenchmarkDecodeStdlib(b *testing.B) { benchDecode(b, stdjpeg.Decode) }

// BenchmarkDecodeRGB decodes the same photo to packed RGB (what
// imageproc.Decode uses).
func BenchmarkDecodeRGB(b *testing.B) { benchDecode(b, DecodeRGB) }
