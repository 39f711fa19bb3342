package jpeg

import (
	"bytes"
	"image"
	"image/color"
	"testing"
)

// TestDecodeRGB requires DecodeRGB to give, for every fixture, Decode's
// image: for 3-component files an *RGB holding the *image.RGBA's bytes
// without alpha, for the others the same image type and pixels.
func TestDecodeRGB(t *testing.T) {
	eachFixture(t, "jpg", func(t *testing.T, _ string, data []byte) {
		want, err := Decode(bytes.NewReader(data))
		got, err2 := DecodeRGB(bytes.NewReader(data))
		if (err == nil) != (err2 == nil) {
			t.Fatalf("Decode error %v, DecodeRGB error %v", err, err2)
		}
		if err != nil {
			return
		}
		if got.Bounds() != want.Bounds() || got.ColorModel() != want.ColorModel() {
			t.Fatalf("DecodeRGB %v %v, Decode %v %v", got.Bounds(), got.ColorModel(), want.Bounds(), want.ColorModel())
		}
		rgba, ok := want.(*image.RGBA)
		if !ok {
			if _, isRGB := got.(*RGB); isRGB {
				t.Fatalf("DecodeRGB gave *RGB for a %T", want)
			}
			_, wp := pixels(want)
			_, gp := pixels(got)
			if i := firstDiff(gp, wp); i >= 0 {
				t.Fatalf("byte %d differs", i)
			}
			return
		}
		m, ok := got.(*RGB)
		if !ok {
			t.Fatalf("DecodeRGB gave %T, want *RGB", got)
		}
		_, wp := pixels(rgba)
		if m.Stride != 3*m.Rect.Dx() || len(m.Pix) != len(wp) {
			t.Fatalf("stride %d, %d bytes; want %d, %d", m.Stride, len(m.Pix), 3*m.Rect.Dx(), len(wp))
		}
		if i := firstDiff(m.Pix, wp); i >= 0 {
			t.Fatalf("byte %d = %d, Decode %d", i, m.Pix[i], wp[i])
		}
		b := m.Bounds()
		for _, p := range []image.Point{b.Min, b.Max.Sub(image.Pt(1, 1))} {
			if m.At(p.X, p.Y) != rgba.At(p.X, p.Y) {
				t.Errorf("At(%v) = %v, Decode %v", p, m.At(p.X, p.Y), rgba.At(p.X, p.Y))
			}
		}
		if m.At(-1, 0) != (color.RGBA{}) {
			t.Errorf("At outside the bounds = %v", m.At(-1, 0))
		}
	})
}
