package jpeg

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/alexnet-go/alexnet/internal/npy"
)

// pixels returns the image's samples as np.asarray lays out Pillow's image:
// L as HxW, RGB as HxWx3, CMYK as HxWx4.
func pixels(m image.Image) (shape []int, b []byte) {
	r := m.Bounds()
	switch m := m.(type) {
	case *image.Gray:
		return []int{r.Dy(), r.Dx()}, m.Pix
	case *image.RGBA:
		b = make([]byte, 0, len(m.Pix)/4*3)
		for i := 0; i < len(m.Pix); i += 4 {
			b = append(b, m.Pix[i], m.Pix[i+1], m.Pix[i+2])
		}
		return []int{r.Dy(), r.Dx(), 3}, b
	case *image.CMYK:
		return []int{r.Dy(), r.Dx(), 4}, m.Pix
	}
	return nil, nil
}

// TestFixtures decodes every testdata/jpeg/NAME.jpg that has a NAME.npy
// (Pillow's np.asarray(Image.open(f))) and requires identical bytes, the
// same shape and a DecodeConfig that agrees with Decode.
func TestFixtures(t *testing.T) {
	eachFixture(t, "npy", func(t *testing.T, np string, data []byte) {
		want, err := npy.ReadFile(np)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		shape, got := pixels(m)
		if !slices.Equal(shape, want.Shape) {
			t.Fatalf("shape %v, Pillow %v", shape, want.Shape)
		}
		if i := firstDiff(got, want.U8); i >= 0 {
			t.Fatalf("byte %d (of %d) = %d, Pillow %d", i, len(got), got[i], want.U8[i])
		}
		cfg, err := DecodeConfig(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Width != m.Bounds().Dx() || cfg.Height != m.Bounds().Dy() || cfg.ColorModel != m.ColorModel() {
			t.Errorf("DecodeConfig %dx%d %v; Decode %v %v", cfg.Width, cfg.Height, cfg.ColorModel, m.Bounds(), m.ColorModel())
		}
	})
}

func firstDiff(a, b []byte) int {
	if len(a) != len(b) {
		return 0
	}
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// TestDecodeConfigModels checks the colour model for each component count
// without decoding pixels.
func TestDecodeConfigModels(t *testing.T) {
	for name, want := range map[string]color.Model{
		"pil_gray": color.GrayModel, "pil_420_prog": color.RGBAModel, "ycck": color.CMYKModel,
	} {
		f, err := os.Open(filepath.Join(fixtures, name+".jpg"))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := DecodeConfig(f)
		f.Close()
		if err != nil || cfg.ColorModel != want {
			t.Errorf("%s: %v %v, want model %v", name, cfg.ColorModel, err, want)
		}
	}
}

// TestUnsupported: 12-bit and lossless frames, Huffman or arithmetic, are
// reported as UnsupportedError, as Pillow's 8-bit libjpeg-turbo refuses them.
func TestUnsupported(t *testing.T) {
	for _, tc := range []struct {
		name string
		sof  byte
		bits byte
	}{
		{"12-bit Huffman", 0xC1, 12},
		{"12-bit arithmetic", 0xC9, 12},
		{"lossless Huffman", 0xC3, 8},
		{"lossless arithmetic", 0xCB, 8},
	} {
		in := []byte{0xFF, 0xD8, 0xFF, tc.sof, 0, 11, tc.bits, 0, 8, 0, 8, 1, 1, 0x11, 0}
		var ue UnsupportedError
		if _, err := DecodeConfig(bytes.NewReader(in)); !errors.As(err, &ue) {
			t.Errorf("%s: %v, want UnsupportedError", tc.name, err)
		}
	}
}

// TestArithmetic: the arithmetic-coded fixtures (checked against Pillow by
// TestFixtures) really are SOF9 and SOF10 files, some with DAC segments;
// a DAC with L > U or a bad table class is a FormatError.
func TestArithmetic(t *testing.T) {
	var sof9, sof10, dac int
	for _, f := range fixtureFiles(t, "cj_arith*.jpg") {
		data := readFixture(t, f)
		sof9 += bytes.Count(data, []byte{0xFF, 0xC9})
		sof10 += bytes.Count(data, []byte{0xFF, 0xCA})
		dac += bytes.Count(data, []byte{0xFF, 0xCC})
	}
	if sof9 == 0 || sof10 == 0 || dac == 0 {
		t.Errorf("fixtures hold %d SOF9, %d SOF10, %d DAC; run testdata/gen/jpeg.py", sof9, sof10, dac)
	}
	readDAC := func(p ...byte) (*decoder, error) {
		d := &decoder{src: source{buf: append([]byte{0, byte(2 + len(p))}, p...)}}
		d.resetConditioning()
		return d, d.readDAC()
	}
	if d, err := readDAC(0x03, 0x52, 0x1F, 0); err != nil || d.dacL[3] != 2 || d.dacU[3] != 5 || d.dacK[15] != 0 || d.dacK[0] != 5 {
		t.Errorf("DAC: %v, L %d U %d Kx %d %d", err, d.dacL[3], d.dacU[3], d.dacK[15], d.dacK[0])
	}
	for _, p := range [][]byte{{0x00, 0x12}, {0x20, 0x05}, {0x00}} {
		var fe FormatError
		if _, err := readDAC(p...); !errors.As(err, &fe) {
			t.Errorf("DAC % x: %v, want FormatError", p, err)
		}
	}
}
