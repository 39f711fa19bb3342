package imageproc

import "image"

// webpToRGB converts a lossy WebP's 4:2:0 Y'CbCr planes to RGB as libwebp
// does under PIL (WebPDecode with its defaults): "fancy" chroma
// upsampling, then the 14-bit fixed-point BT.601 conversion of
// src/dsp/yuv.h. Output row y takes chroma from its nearest chroma row N
// and the next nearest F (row 0 and, for even heights, the last row use N
// for both). In a row, column 0 (and the last column when the width is
// even) gets (3*N[0] + F[0] + 2) >> 2; columns 2x-1 and 2x, for x >= 1,
// get ((s + 2*(N[x] + F[x-1])) >> 3 + N[x-1]) >> 1 and
// ((s + 2*(N[x-1] + F[x])) >> 3 + N[x]) >> 1 with
// s = N[x-1] + N[x] + F[x-1] + F[x] + 8 (libwebp's UpsampleRgbLinePair).
func webpToRGB(m *image.YCbCr) *RGB {
	b := m.Rect
	w, h := b.Dx(), b.Dy()
	out := NewRGB(w, h)
	uvh := (h + 1) / 2
	u := make([]int32, w)
	v := make([]int32, w)
	for y := 0; y < h; y++ {
		var near, far int
		switch {
		case y == 0:
			near, far = 0, 0
		case y%2 == 1:
			near, far = (y-1)/2, min((y+1)/2, uvh-1)
		default:
			near, far = y/2, y/2-1
		}
		upsampleRow(u, m.Cb[near*m.CStride:], m.Cb[far*m.CStride:])
		upsampleRow(v, m.Cr[near*m.CStride:], m.Cr[far*m.CStride:])
		yrow := m.Y[y*m.YStride:]
		dst := out.Pix[3*y*w : 3*(y+1)*w]
		for x := 0; x < w; x++ {
			yy := mulHi(int32(yrow[x]), 19077)
			dst[3*x] = yuvClip(yy + mulHi(v[x], 26149) - 14234)
			dst[3*x+1] = yuvClip(yy - mulHi(u[x], 6419) - mulHi(v[x], 13320) + 8708)
			dst[3*x+2] = yuvClip(yy + mulHi(u[x], 33050) - 17685)
		}
	}
	return out
}

// upsampleRow fills dst (one value per output column) from the near and
// far chroma rows.
func upsampleRow(dst []int32, nr, fr []uint8) {
	w := len(dst)
	n := func(i int) int32 { return int32(nr[i]) }
	f := func(i int) int32 { return int32(fr[i]) }
	dst[0] = (3*n(0) + f(0) + 2) >> 2
	last := (w - 1) >> 1
	for x := 1; x <= last; x++ {
		s := n(x-1) + n(x) + f(x-1) + f(x) + 8
		dst[2*x-1] = ((s+2*(n(x)+f(x-1)))>>3 + n(x-1)) >> 1
		dst[2*x] = ((s+2*(n(x-1)+f(x)))>>3 + n(x)) >> 1
	}
	if w%2 == 0 {
		dst[w-1] = (3*n(last) + f(last) + 2) >> 2
	}
}

// mulHi is libwebp's MultHi: (v * coeff) >> 8.
func mulHi(v, coeff int32) int32 { return (v * coeff) >> 8 }

// yuvClip is libwebp's VP8Clip8 with YUV_FIX2 = 6: v >> 6 clamped to [0, 255].
func yuvClip(v int32) uint8 {
	if v&^(256<<6-1) == 0 {
		return uint8(v >> 6)
	}
	if v < 0 {
		return 0
	}
	return 255
}
