package npy

import (
	"bytes"
	"os"
	"testing"
)

// The fixtures were written by numpy.save (see the command in the commit
// that added them): f32.npy = [[1.5,-2,3],[4,5,6e-7]], u8.npy =
// arange(24).reshape(2,3,4), vec.npy = [7].
func TestReadNumpyFiles(t *testing.T) {
	a, err := ReadFile("testdata/f32.npy")
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{1.5, -2, 3, 4, 5, 6e-7}
	if len(a.Shape) != 2 || a.Shape[0] != 2 || a.Shape[1] != 3 || len(a.F32) != 6 {
		t.Fatalf("shape %v len %d", a.Shape, len(a.F32))
	}
	for i := range want {
		if a.F32[i] != want[i] {
			t.Errorf("f32[%d] = %v, want %v", i, a.F32[i], want[i])
		}
	}
	u, err := ReadFile("testdata/u8.npy")
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Shape) != 3 || len(u.U8) != 24 || u.U8[23] != 23 {
		t.Fatalf("u8: shape %v data %v", u.Shape, u.U8)
	}
	v, err := ReadFile("testdata/vec.npy")
	if err != nil || len(v.Shape) != 1 || v.F32[0] != 7 {
		t.Fatalf("vec: %v %v", v, err)
	}
}

// What we write is byte-identical to numpy.save for the same arrays.
func TestWriteMatchesNumpy(t *testing.T) {
	for _, c := range []struct {
		file string
		w    func(*bytes.Buffer) error
	}{
		{"testdata/f32.npy", func(b *bytes.Buffer) error {
			return WriteF32(b, []int{2, 3}, []float32{1.5, -2, 3, 4, 5, 6e-7})
		}},
		{"testdata/vec.npy", func(b *bytes.Buffer) error { return WriteF32(b, []int{1}, []float32{7}) }},
		{"testdata/u8.npy", func(b *bytes.Buffer) error {
			d := make([]uint8, 24)
			for i := range d {
				d[i] = uint8(i)
			}
			return WriteU8(b, []int{2, 3, 4}, d)
		}},
	} {
		want, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := c.w(&b); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b.Bytes(), want) {
			t.Errorf("%s: written bytes differ from numpy's\n got %q\nwant %q", c.file, b.Bytes()[:64], want[:64])
		}
	}
}

func TestBadInput(t *testing.T) {
	for _, in := range []string{"", "\x93NUMPY", "hello world", "\x93NUMPY\x09\x00\x00\x00"} {
		if _, err := Read(bytes.NewReader([]byte(in))); err == nil {
			t.Errorf("Read(%q) succeeded", in)
		}
	}
}
