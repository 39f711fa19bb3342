package jpeg

import (
	"bytes"
	"errors"
	"testing"
)

// TestPillowBlocks: Pillow feeds libjpeg 64 KiB at a time and libjpeg's
// arithmetic decoder cannot wait for more, so Pillow fails a file whose
// arithmetic-coded scan starts in one block and runs into the next, yet
// decodes it when the scan header itself crosses the boundary (the marker
// parser suspends and is fed the next block). Checked against Pillow with
// comment segments shifting each scan of a progressive file across the
// boundary; here the third scan, with the expected outcome.
func TestPillowBlocks(t *testing.T) {
	data := readFixture(t, "cj_arith_prog_420.jpg")
	want, err := Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var sos []int
	for i := 0; i+1 < len(data); i++ {
		if data[i] == 0xFF && data[i+1] == 0xDA {
			sos = append(sos, i)
		}
	}
	if len(sos) < 3 {
		t.Fatalf("%d scans", len(sos))
	}
	at := sos[2]
	for _, tc := range []struct {
		delta int // where the scan's SOS marker lands, relative to 64 KiB
		ok    bool
	}{{-200, false}, {-20, false}, {-2, true}, {0, true}, {200, true}} {
		var pad []byte
		for rem := pillowBlock + tc.delta - at; rem > 0; {
			n := min(rem, 65537)
			if rem-n > 0 && rem-n < 4 {
				n -= 4
			}
			pad = append(pad, 0xFF, 0xFE, byte((n-2)>>8), byte(n-2))
			pad = append(pad, make([]byte, n-4)...)
			rem -= n
		}
		in := append(append(append([]byte(nil), data[:at]...), pad...), data[at:]...)
		m, err := Decode(bytes.NewReader(in))
		var ue UnsupportedError
		switch {
		case !tc.ok && !errors.As(err, &ue):
			t.Errorf("scan at 64 KiB%+d: %v, want UnsupportedError", tc.delta, err)
		case tc.ok && err != nil:
			t.Errorf("scan at 64 KiB%+d: %v", tc.delta, err)
		case tc.ok:
			_, a := pixels(m)
			_, b := pixels(want)
			if !bytes.Equal(a, b) {
				t.Errorf("scan at 64 KiB%+d: pixels differ", tc.delta)
			}
		}
	}
}
