package jpeg

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzDecode runs Decode and DecodeConfig on mutations of the fixtures
// (every testdata/jpeg/*.jpg under 20 kB, Huffman and arithmetic-coded):
// they must not panic or hang, must return typed errors, and Decode must
// agree with DecodeConfig on the size of what it decodes. The pixel limit
// is lowered so that no input allocates more than a megabyte or takes long.
func FuzzDecode(f *testing.F) {
	for _, p := range fixtureFiles(f, "*.jpg") {
		if b := readFixture(f, p); len(b) < 20000 {
			f.Add(b)
		}
	}
	saved := maxPixels
	maxPixels = 1 << 16
	f.Cleanup(func() { maxPixels = saved })
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, cerr := DecodeConfig(bytes.NewReader(b))
		m, err := Decode(bytes.NewReader(b))
		for _, e := range []error{cerr, err} {
			var fe FormatError
			var ue UnsupportedError
			if e != nil && !errors.As(e, &fe) && !errors.As(e, &ue) {
				t.Fatalf("untyped error %v", e)
			}
		}
		if err == nil {
			if cerr != nil {
				t.Fatalf("Decode ok but DecodeConfig: %v", cerr)
			}
			if s := m.Bounds().Size(); s.X != cfg.Width || s.Y != cfg.Height {
				t.Fatalf("Decode %v, DecodeConfig %dx%d", s, cfg.Width, cfg.Height)
			}
		}
	})
}
