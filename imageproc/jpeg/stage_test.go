package jpeg

import (
	"encoding/binary"
	"testing"
)

// rawPlanes reads a rawdump file: int32 component count, then per
// component h_samp, v_samp, width, height, then each plane (width*height
// bytes), libjpeg-turbo's post-IDCT samples before upsampling.
type rawPlane struct {
	h, v, w, hgt int
	pix          []byte
}

func readRaw(t *testing.T, path string) []rawPlane {
	b := readFixture(t, path)
	i32 := func() int {
		if len(b) < 4 {
			t.Fatalf("%s: short file", path)
		}
		v := int(int32(binary.LittleEndian.Uint32(b)))
		b = b[4:]
		return v
	}
	ps := make([]rawPlane, i32())
	for i := range ps {
		ps[i] = rawPlane{h: i32(), v: i32(), w: i32(), hgt: i32()}
	}
	for i := range ps {
		n := ps[i].w * ps[i].hgt
		if len(b) < n {
			t.Fatalf("%s: short plane", path)
		}
		ps[i].pix, b = b[:n], b[n:]
	}
	return ps
}

// TestIDCTPlanes compares the decoder's post-IDCT component planes (entropy
// decoding, dequantisation and jidctint.c's islow IDCT with its range
// limit) with libjpeg-turbo's raw_data_out planes dumped by rawdump.
func TestIDCTPlanes(t *testing.T) {
	eachFixture(t, "raw", func(t *testing.T, raw string, data []byte) {
		want := readRaw(t, raw)
		d := &decoder{src: source{buf: data}}
		if err := d.decode(false); err != nil {
			t.Fatal(err)
		}
		d.planes()
		if len(d.comp) != len(want) {
			t.Fatalf("%d components, rawdump %d", len(d.comp), len(want))
		}
		for ci, w := range want {
			c := &d.comp[ci]
			if c.h != w.h || c.v != w.v || c.w != w.w || c.hgt != w.hgt {
				t.Fatalf("component %d: %dx%d samp %dx%d; rawdump %dx%d samp %dx%d",
					ci, c.w, c.hgt, c.h, c.v, w.w, w.hgt, w.h, w.v)
			}
			for y := 0; y < w.hgt; y++ {
				got := c.plane[y*c.bw*8 : y*c.bw*8+w.w]
				if i := firstDiff(got, w.pix[y*w.w:(y+1)*w.w]); i >= 0 {
					t.Fatalf("component %d row %d col %d = %d, libjpeg %d", ci, y, i, got[i], w.pix[y*w.w+i])
				}
			}
		}
	})
}

// TestUpsampleEdges checks the fancy upsamplers' edge rules on a short row
// against values worked by hand from jdsample.c's formulas.
func TestUpsampleEdges(t *testing.T) {
	in := []byte{10, 20, 40}
	out := make([]byte, 6)
	h2v1Fancy(in, out)
	// out[0]=10, (30+20+2)>>2=13, (60+10+1)>>2=17, (60+40+2)>>2=25,
	// (120+20+1)>>2=35, 40.
	want := []byte{10, 13, 17, 25, 35, 40}
	if string(out) != string(want) {
		t.Errorf("h2v1Fancy = %v, want %v", out, want)
	}
	nb := []byte{0, 0, 0}
	h2v2Fancy(in, nb, out)
	// s = 30, 60, 120: (120+8)>>4=8, (90+60+7)>>4=9, (180+30+8)>>4=13,
	// (180+120+7)>>4=19, (360+60+8)>>4=26, (480+7)>>4=30.
	want = []byte{8, 9, 13, 19, 26, 30}
	if string(out) != string(want) {
		t.Errorf("h2v2Fancy = %v, want %v", out, want)
	}
}
