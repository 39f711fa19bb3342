package imageproc

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDecodeErrors: a text file named .jpg is an *UnknownFormatError, an
// empty file an *EmptyFileError, and a truncated file of each format a
// *DecodeError; each message names the file.
func TestDecodeErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	check := func(p string, target any) {
		t.Helper()
		m, err := DecodeFile(p)
		if err == nil {
			t.Errorf("%s: decoded %dx%d, want an error", p, m.W, m.H)
			return
		}
		if !errors.As(err, target) {
			t.Errorf("%s: error %T (%v), want %T", p, err, err, target)
		}
		var fe *FileError
		if !errors.As(err, &fe) || fe.Name != p || !strings.Contains(err.Error(), p) {
			t.Errorf("error %q is not a *FileError naming %s", err, p)
		}
	}
	check(write("notes.jpg", []byte("just some text, not a JPEG\n")), new(*UnknownFormatError))
	check(write("empty.png", nil), new(*EmptyFileError))
	for _, name := range []string{"png_rgb.png", "gif_p.gif", "bmp_rgb.bmp", "webp_lossy.webp",
		"webp_lossless.webp", "tiff_rgb_lzw.tif", "jpeg_420.jpg", "tiff_cmyk.tif"} {
		b, err := os.ReadFile(filepath.Join(fixtureDir, name))
		if err != nil {
			t.Fatal(err)
		}
		check(write("cut_"+name, b[:len(b)/2]), new(*DecodeError))
	}
	if _, err := DecodeFile(filepath.Join(dir, "missing.png")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Decode(bytes.NewReader(nil)); !errors.As(err, new(*EmptyFileError)) {
		t.Errorf("empty reader: %v", err)
	}
}

// TestMalformedRGB: the steps return nil rather than panic on an *RGB
// whose buffer does not match its size.
func TestMalformedRGB(t *testing.T) {
	bad := &RGB{W: 4, H: 4, Pix: make([]uint8, 5)}
	if Resize(bad, 8) != nil || ResizeTo(bad, 2, 2) != nil || CenterCrop(bad, 2) != nil ||
		ToTensor(bad) != nil || FlipH(bad) != nil || Resize(nil, 8) != nil {
		t.Error("a step accepted a malformed image")
	}
	if x, err := Preprocess(bad, nil); x != nil || !errors.As(err, new(*SizeError)) {
		t.Errorf("Preprocess of a malformed image: %v, %v; want a *SizeError", x, err)
	}
}

// FuzzDecode: Decode never panics and returns a consistent image or an
// error. Seeds are the fixtures.
func FuzzDecode(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join(fixtureDir, "*.*"))
	for _, n := range names {
		if strings.HasSuffix(n, ".npy") || strings.HasSuffix(n, ".json") {
			continue
		}
		if b, err := os.ReadFile(n); err == nil && len(b) < 20000 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(bytes.NewReader(b))
		if err == nil && !m.valid() {
			t.Fatalf("inconsistent image %dx%d with %d bytes", m.W, m.H, len(m.Pix))
		}
	})
}

// Preprocess never returns a nil tensor without an error: nil and empty
// images are ErrNoPixels, negative sizes an *OptionsError.
func TestPreprocessErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		img  *RGB
		opt  *Options
		want error
	}{
		{"nil", nil, nil, ErrNoPixels},
		{"0x5", NewRGB(0, 5), nil, ErrNoPixels},
		{"0x5 no resize", NewRGB(0, 5), &Options{CropSize: 4}, ErrNoPixels},
		{"negative resize", NewRGB(4, 4), &Options{ResizeSize: -1}, &OptionsError{}},
		{"negative crop", NewRGB(4, 4), &Options{CropSize: -2}, &OptionsError{}},
	} {
		x, err := Preprocess(c.img, c.opt)
		var oe *OptionsError
		ok := errors.Is(err, c.want) || errors.As(c.want, &oe) && errors.As(err, &oe)
		if x != nil || !ok {
			t.Errorf("%s: %v, %v; want %v", c.name, x, err, c.want)
		}
	}
	if _, err := PreprocessFile(filepath.Join(fixtureDir, "missing.png"), nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}
