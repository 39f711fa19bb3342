package grid

import (
	"image/color"
	"testing"

	"github.com/alexnet-go/alexnet/tensor"
)

// TestFilters draws two 2×2 filters at scale 1, gap 1, two columns: the
// grid's size, each filter scaled by its own range (filter 1 is filter 0
// times 10, so both draw the same), and the white gaps.
func TestFilters(t *testing.T) {
	w := tensor.New(2, 3, 2, 2)
	for i := range 12 {
		w.Data[i] = float32(i)         // 0..11: red 0..3, green 4..7, blue 8..11
		w.Data[12+i] = float32(i) * 10 // the same, scaled
	}
	img, err := Filters(w, Options{Scale: 1, Cols: 2, Gap: 1})
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 2*3+1 || b.Dy() != 3+1 {
		t.Fatalf("bounds %v", b)
	}
	// Filter 0's pixel (0,0): red 0, green 4/11, blue 8/11 of 255.
	want := color.RGBA{0, 93, 185, 255}
	if got := img.RGBAAt(1, 1); got != want {
		t.Errorf("filter 0 at (0,0): %v, want %v", got, want)
	}
	if got := img.RGBAAt(4, 1); got != want {
		t.Errorf("filter 1 at (0,0): %v, want %v (its own range)", got, want)
	}
	if got := img.RGBAAt(0, 0); got != (color.RGBA{255, 255, 255, 255}) {
		t.Errorf("gap %v, want white", got)
	}
	if _, err := Filters(tensor.New(2, 4, 2, 2), Options{}); err == nil {
		t.Error("4 input channels drawn as colour filters")
	}
}

// TestMaps: each map in grey by its own range, a constant map black.
func TestMaps(t *testing.T) {
	a := &tensor.Tensor{Shape: []int{2, 1, 2}, Data: []float32{1, 3, 5, 5}}
	img, err := Maps(a, Options{Scale: 1, Cols: 2, Gap: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		x    int
		want uint8
	}{{1, 0}, {2, 255}, {4, 0}, {5, 0}} {
		if got := img.RGBAAt(c.x, 1); got.R != c.want || got.G != c.want {
			t.Errorf("x=%d: %v, want grey %d", c.x, got, c.want)
		}
	}
}
