package kernels

import "math"

// MaxPool2dBackward is the gradient of MaxPool2d: for each of the g.C
// planes of x (C,H,W) it overwrites dx (C,H,W) with dy (C,OH,OW) routed to
// the maximum of each window,
//
//	dx[c, iy, ix] = Σ dy[c, oy, ox] over the windows (oy, ox) whose
//	                maximum is at (iy, ix)
//
// where the maximum is found as MaxPool2dNaive finds it (scanning the
// window in row-major order from -inf with `if v > m || v != v`: the first
// of equal maxima, the last NaN) starting from the window's first position,
// as PyTorch's max_pool2d_with_indices records the index its backward adds
// at. Positions in the padding are skipped.
func MaxPool2dBackward(g ConvGeom, x, dy, dx []float32) {
	MaxPool2dBackwardThreads(g, x, nil, dy, dx, 1)
}

// MaxPool2dBackwardThreads is MaxPool2dBackward with the planes split
// over threads goroutines; each plane of dx is computed as
// MaxPool2dBackward computes it, so the result is the same for every
// thread count. y, if not nil, is MaxPool2d's output for x (C,OH,OW): a
// window's maximum is then its first position equal to y (±0 alike; the
// last NaN where y is NaN), which is the position the scan finds, found
// by poolImpl.argmax a row of windows at a time; a window whose maximum
// is not found there is scanned.
func MaxPool2dBackwardThreads(g ConvGeom, x, y, dy, dx []float32, threads int) {
	maxPool2dBackward(activePool(), g, x, y, dy, dx, threads)
}

func maxPool2dBackward(im *poolImpl, g ConvGeom, x, y, dy, dx []float32, threads int) {
	oh, ow := g.OH(), g.OW()
	in, out := g.H*g.W, oh*ow
	poolParallel(g.C, threads, func(c0, c1 int) {
		clear(dx[c0*in : c1*in])
		var idx []int32
		if y != nil && g.PH == 0 && g.PW == 0 {
			idx = make([]int32, ow)
		}
		for c := c0; c < c1; c++ {
			plane, d, grad := x[c*in:(c+1)*in], dy[c*out:(c+1)*out], dx[c*in:(c+1)*in]
			if idx != nil {
				maxPoolBackwardPlaneY(im, g, oh, ow, plane, y[c*out:(c+1)*out], d, grad, idx)
			} else {
				maxPoolBackwardPlane(g, oh, ow, plane, d, grad)
			}
		}
	})
}

// window is the input box [y0, y1) × [x0, x1) of output (oy, ox), the
// padding left out.
func (g ConvGeom) window(oy, ox int) (y0, y1, x0, x1 int) {
	return max(oy*g.SH-g.PH, 0), min(oy*g.SH-g.PH+g.KH, g.H), max(ox*g.SW-g.PW, 0), min(ox*g.SW-g.PW+g.KW, g.W)
}

// maxPoolBackwardPlane adds each d (OH,OW) at its window's maximum in
// plane (H,W), into grad (H,W).
func maxPoolBackwardPlane(g ConvGeom, oh, ow int, plane, d, grad []float32) {
	for oy := 0; oy < oh; oy++ {
		for ox := 0; ox < ow; ox++ {
			grad[windowArgmax(g, plane, oy, ox)] += d[oy*ow+ox]
		}
	}
}

// windowArgmax is the index in plane (H,W) of the maximum of window (oy,
// ox) by MaxPool2dNaive's scan.
func windowArgmax(g ConvGeom, plane []float32, oy, ox int) int {
	y0, y1, x0, x1 := g.window(oy, ox)
	m, arg := float32(math.Inf(-1)), y0*g.W+x0
	for iy := y0; iy < y1; iy++ {
		for ix := x0; ix < x1; ix++ {
			if v := plane[iy*g.W+ix]; v > m || v != v {
				m, arg = v, iy*g.W+ix
			}
		}
	}
	return arg
}

// maxPoolBackwardPlaneY is maxPoolBackwardPlane for a geometry without
// padding, given the pooled plane out (OH,OW): im.argmax finds each row's
// maxima (in idx, OW values), and a window whose maximum is not found is
// scanned.
func maxPoolBackwardPlaneY(im *poolImpl, g ConvGeom, oh, ow int, plane, out, d, grad []float32, idx []int32) {
	for oy := 0; oy < oh; oy++ {
		base := oy * g.SH * g.W
		im.argmax(plane[base:], g.W, out[oy*ow:(oy+1)*ow], ow, g.KH, g.KW, g.SW, idx)
		for ox, a := range idx[:ow] {
			at := base + int(a)
			if a < 0 {
				at = windowArgmax(g, plane, oy, ox)
			}
			grad[at] += d[oy*ow+ox]
		}
	}
}

// argmaxGo is poolImpl.argmax.
func argmaxGo(x []float32, ldx int, y []float32, n, kh, kw, sw int, idx []int32) {
	for o, t := range y[:n] {
		a := -1
	search:
		for i := 0; i < kh; i++ {
			for j := 0; j < kw; j++ {
				off := i*ldx + o*sw + j
				if v := x[off]; v == t || (t != t && v != v) {
					a = off
					if t == t {
						break search // the first equal; the last NaN
					}
				}
			}
		}
		idx[o] = int32(a)
	}
}

// AdaptiveAvgPool2dBackward is the gradient of AdaptiveAvgPool2d: for
// each of the planes planes it overwrites dx (planes,H,W) with
//
//	dx[c, iy, ix] = Σ over the windows (oy, ox) containing (iy, ix) of
//	                dy[c, oy, ox] / (y1-y0) / (x1-x0)
//
// with the windows of AdaptiveAvgPool2d, adding in row-major window order,
// as PyTorch's adaptive_avg_pool2d_backward does.
func AdaptiveAvgPool2dBackward(planes, h, w, oh, ow int, dy, dx []float32) {
	AdaptiveAvgPool2dBackwardThreads(planes, h, w, oh, ow, dy, dx, 1)
}

// AdaptiveAvgPool2dBackwardThreads is AdaptiveAvgPool2dBackward with the
// planes split over threads goroutines; each plane of dx is computed as
// AdaptiveAvgPool2dBackward computes it, so the result is the same for
// every thread count.
func AdaptiveAvgPool2dBackwardThreads(planes, h, w, oh, ow int, dy, dx []float32, threads int) {
	if oneInputWindows(planes, h, w, oh, ow, dy, dx) {
		return
	}
	poolParallel(planes, threads, func(c0, c1 int) {
		clear(dx[c0*h*w : c1*h*w])
		for c := c0; c < c1; c++ {
			avgPoolBackwardPlane(h, w, oh, ow, dy[c*oh*ow:(c+1)*oh*ow], dx[c*h*w:(c+1)*h*w])
		}
	})
}

// avgPoolBackwardPlane adds each d (OH,OW), divided by its window's size,
// over its window of grad (H,W).
func avgPoolBackwardPlane(h, w, oh, ow int, d, grad []float32) {
	for oy := 0; oy < oh; oy++ {
		y0, y1 := oy*h/oh, ((oy+1)*h+oh-1)/oh
		for ox := 0; ox < ow; ox++ {
			x0, x1 := ox*w/ow, ((ox+1)*w+ow-1)/ow
			delta := d[oy*ow+ox] / float32(y1-y0) / float32(x1-x0)
			for iy := y0; iy < y1; iy++ {
				row := grad[iy*w+x0 : iy*w+x1]
				for i := range row {
					row[i] += delta
				}
			}
		}
	}
}
