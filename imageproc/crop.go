package imageproc

import "image"

// Crop returns the part of src inside r, in src's coordinates, as PIL's
// Image.crop((x0, y0, x1, y1)) does: pixels of r outside src are zero
// (black). An empty r gives a 0×0 image; a malformed src gives nil.
func Crop(src *RGB, r image.Rectangle) *RGB {
	if !src.valid() {
		return nil
	}
	r = r.Canon()
	out := NewRGB(r.Dx(), r.Dy())
	in := r.Intersect(image.Rect(0, 0, src.W, src.H))
	if in.Empty() {
		return out
	}
	n := 3 * in.Dx()
	for y := in.Min.Y; y < in.Max.Y; y++ {
		s := 3 * (y*src.W + in.Min.X)
		d := 3 * ((y-r.Min.Y)*out.W + in.Min.X - r.Min.X)
		copy(out.Pix[d:d+n], src.Pix[s:s+n])
	}
	return out
}

// CenterCropRect returns the box torchvision 0.14's F.center_crop cuts
// from a w×h image for a crop of cw×ch, in the image's coordinates. Along
// each axis where the crop fits, the offset is round((n - c) / 2) with
// Python's round (halves to even); where it does not, F.center_crop pads
// (c-n)//2 zeros before and the rest after, which is the offset
// -((c-n)//2).
func CenterCropRect(w, h, cw, ch int) image.Rectangle {
	x0, y0 := centerOffset(w, cw), centerOffset(h, ch)
	return image.Rect(x0, y0, x0+cw, y0+ch)
}

func centerOffset(n, c int) int {
	d := n - c
	if d < 0 {
		return -((-d) / 2) // pad left/top: (c - n) // 2
	}
	// round(d / 2.0), halves to even: d odd means d/2 = k + 0.5.
	k := d / 2
	if d%2 == 1 && k%2 == 1 {
		k++
	}
	return k
}

// CenterCrop is torchvision 0.14's transforms.CenterCrop(size) on a PIL
// image: the size×size box of CenterCropRect, zero-padded where the image
// is smaller. A malformed src or size < 0 gives nil.
func CenterCrop(src *RGB, size int) *RGB {
	if !src.valid() || size < 0 {
		return nil
	}
	return Crop(src, CenterCropRect(src.W, src.H, size, size))
}
