package kernels

import (
	"math"

	"github.com/alexnet-go/alexnet/internal/cpuvariant"
)

// MaxPool2d is MaxPool2dThreads with one goroutine.
func MaxPool2d(g ConvGeom, x, y []float32) { MaxPool2dThreads(g, x, y, 1) }

// MaxPool2dThreads computes, for each of the g.C planes of x (C,H,W) and
// each output position of y (C,OH,OW),
//
//	y[c, oy, ox] = max over i < KH, j < KW of x[c, oy*SH-PH+i, ox*SW-PW+j]
//
// where positions in the padding are skipped (PyTorch pads max pooling
// with -inf). The maximum is the fold of MaxPool2dNaive in row-major
// window order: the first of equal maxima wins (so of +0 and -0 the
// earlier), and the last NaN of the window is the result if there is one,
// as torch.max_pool2d propagates NaN. With PH = PW = 0 this is PyTorch's
// MaxPool2d with ceil_mode=False. Batches are passed as C = N*channels
// planes, split over up to threads goroutines.
//
// Each plane is pooled along rows first (the window maxima at stride SW of
// every input row a window covers, into a small buffer), then down the
// columns of that buffer. Folding each window row, then the rows' results
// in order, gives the row-major fold exactly, so y equals
// MaxPool2dNaive's bit for bit. Padding is a copy of the plane framed
// with -inf.
func MaxPool2dThreads(g ConvGeom, x, y []float32, threads int) {
	maxPool2d(activePool(), g, x, y, threads)
}

func maxPool2d(im *poolImpl, g ConvGeom, x, y []float32, threads int) {
	oh, ow := g.OH(), g.OW()
	if g.C <= 0 || oh == 0 || ow == 0 {
		return
	}
	in := g.H * g.W
	wp := g.W + 2*g.PW
	rows := (oh-1)*g.SH + g.KH // rows of the padded plane the windows cover
	poolParallel(g.C, threads, func(c0, c1 int) {
		// rowMax holds a plane's window maxima along rows, one row of ow
		// per row of the (padded) plane.
		rowMax := make([]float32, rows*ow)
		var padded []float32
		if g.PH > 0 || g.PW > 0 {
			padded = make([]float32, (g.H+2*g.PH)*wp)
			ninf := float32(math.Inf(-1))
			for i := range padded {
				padded[i] = ninf
			}
		}
		for c := c0; c < c1; c++ {
			plane, ld := x[c*in:(c+1)*in], g.W
			if padded != nil {
				for iy := 0; iy < g.H; iy++ {
					copy(padded[(iy+g.PH)*wp+g.PW:], plane[iy*g.W:(iy+1)*g.W])
				}
				plane, ld = padded, wp
			}
			im.hmax(plane, ld, rows, ow, g.KW, g.SW, rowMax, ow)
			im.vmax(rowMax, ow, oh, ow, g.KH, g.SH, y[c*oh*ow:(c+1)*oh*ow], ow)
		}
	})
}

// MaxPool2dNaive is the reference loop of MaxPool2d: each window scanned
// in row-major order from -inf with
//
//	if v > m || v != v { m = v }
func MaxPool2dNaive(g ConvGeom, x, y []float32) {
	oh, ow := g.OH(), g.OW()
	for c := 0; c < g.C; c++ {
		plane := x[c*g.H*g.W : (c+1)*g.H*g.W]
		out := y[c*oh*ow : (c+1)*oh*ow]
		for oy := 0; oy < oh; oy++ {
			y0, y1 := max(oy*g.SH-g.PH, 0), min(oy*g.SH-g.PH+g.KH, g.H)
			for ox := 0; ox < ow; ox++ {
				x0, x1 := max(ox*g.SW-g.PW, 0), min(ox*g.SW-g.PW+g.KW, g.W)
				m := float32(math.Inf(-1))
				for iy := y0; iy < y1; iy++ {
					for _, v := range plane[iy*g.W+x0 : iy*g.W+x1] {
						// v != v keeps NaN, as torch.max_pool2d propagates it.
						if v > m || v != v {
							m = v
						}
					}
				}
				out[oy*ow+ox] = m
			}
		}
	}
}

// oneInputWindows handles the adaptive average pool and its gradient where
// every window is one input (oh == h, ow == w) and reports whether it did:
// then dst = +0 + src (forward, the sum divided by 1; backward, dy/1/1).
func oneInputWindows(planes, h, w, oh, ow int, src, dst []float32) bool {
	if oh != h || ow != w {
		return false
	}
	addToZero(dst[:planes*h*w], src[:planes*h*w])
	return true
}

// AdaptiveAvgPool2d is AdaptiveAvgPool2dThreads with one goroutine.
func AdaptiveAvgPool2d(planes, h, w, oh, ow int, x, y []float32) {
	AdaptiveAvgPool2dThreads(planes, h, w, oh, ow, x, y, 1)
}

// AdaptiveAvgPool2dThreads computes, for each of the planes planes of x
// (planes,H,W) and each output position of y (planes,OH,OW),
//
//	y[c, oy, ox] = mean of x[c, iy, ix] over iy in [y0, y1), ix in [x0, x1)
//	y0 = floor(oy*H/OH), y1 = ceil((oy+1)*H/OH)
//	x0 = floor(ox*W/OW), x1 = ceil((ox+1)*W/OW)
//
// PyTorch's adaptive_avg_pool2d windows: they overlap when H is not a
// multiple of OH and repeat inputs when OH > H. The sum runs in row-major
// order from +0 and is divided by the window size. The planes are split
// over up to threads goroutines.
func AdaptiveAvgPool2dThreads(planes, h, w, oh, ow int, x, y []float32, threads int) {
	if oneInputWindows(planes, h, w, oh, ow, x, y) {
		return
	}
	rows, cols := adaptiveWindows(h, oh), adaptiveWindows(w, ow)
	poolParallel(planes, threads, func(c0, c1 int) {
		for c := c0; c < c1; c++ {
			plane := x[c*h*w : (c+1)*h*w]
			out := y[c*oh*ow : (c+1)*oh*ow]
			for oy := 0; oy < oh; oy++ {
				y0, y1 := rows[2*oy], rows[2*oy+1]
				for ox := 0; ox < ow; ox++ {
					x0, x1 := cols[2*ox], cols[2*ox+1]
					var s float32
					for iy := y0; iy < y1; iy++ {
						for _, v := range plane[iy*w+x0 : iy*w+x1] {
							s += v
						}
					}
					out[oy*ow+ox] = s / float32((y1-y0)*(x1-x0))
				}
			}
		}
	})
}

// adaptiveWindows returns the n adaptive pooling windows over in inputs as
// pairs floor(i*in/n), ceil((i+1)*in/n).
func adaptiveWindows(in, n int) []int {
	win := make([]int, 2*n)
	for i := 0; i < n; i++ {
		win[2*i], win[2*i+1] = i*in/n, ((i+1)*in+n-1)/n
	}
	return win
}

// poolParallel calls fn on up to threads contiguous parts of [0, n), each
// on a goroutine of its own when there is more than one.
func poolParallel(n, threads int, fn func(lo, hi int)) {
	threads = min(threads, n)
	if threads <= 1 {
		if n > 0 {
			fn(0, n)
		}
		return
	}
	runTeam(threads, func(t int) { fn(t*n/threads, (t+1)*n/threads) })
}

// poolImpl is one implementation of the row kernels under MaxPool2d and
// LRN. The assembly ones register where the CPU has them (pool_amd64.go);
// the exported kernels run the selected one (see cpuvariant), and tests
// run every one.
type poolImpl struct {
	name string
	// hmax sets the window maxima along rows at stride sw: for r < rows
	// and o < n, out[r*ldo+o] is the fold (MaxPool2dNaive's step) of
	// x[r*ldx + o*sw + j] over j < kw, starting from j = 0.
	hmax func(x []float32, ldx, rows, n, kw, sw int, out []float32, ldo int)
	// vmax sets the window maxima down columns at stride sh: for r < rows
	// and o < n, out[r*ldo+o] is the fold of x[(r*sh+i)*ldx + o] over
	// i < kh, starting from i = 0.
	vmax func(x []float32, ldx, rows, n, kh, sh int, out []float32, ldo int)
	// lrn075 is LRN's scaling for beta = 0.75 of one channel's n
	// positions, with cnt window channels ld apart in x (see lrnGo).
	lrn075 func(x []float32, ld, cnt int, xc, y []float32, n int, rsize, alpha, k float32)
	// argmax sets idx[o], o < n, to the offset i*ldx + o*sw + j in x of
	// window o's maximum y[o] (kh×kw, no padding): the first (i, j) in
	// row-major order with x == y[o], the last NaN where y[o] is NaN, -1
	// where there is none (see argmaxGo).
	argmax func(x []float32, ldx int, y []float32, n, kh, kw, sw int, idx []int32)
}

// poolVariants is the pooling and LRN family, portable first.
var poolVariants = cpuvariant.NewFamily("pool", &poolImpl{"portable", hmaxGo, vmaxGo, lrnGo, argmaxGo})

// activePool is the implementation the exported kernels run.
func activePool() *poolImpl { return poolVariants.Get() }

// hmaxGo is poolImpl.hmax.
func hmaxGo(x []float32, ldx, rows, n, kw, sw int, out []float32, ldo int) {
	for r := 0; r < rows; r++ {
		xr, or := x[r*ldx:], out[r*ldo:r*ldo+n]
		if kw == 3 {
			_ = xr[(n-1)*sw+2]
			for o := range or {
				m := xr[o*sw]
				if v := xr[o*sw+1]; v > m || v != v {
					m = v
				}
				if v := xr[o*sw+2]; v > m || v != v {
					m = v
				}
				or[o] = m
			}
			continue
		}
		for o := range or {
			w := xr[o*sw : o*sw+kw]
			m := w[0]
			for _, v := range w[1:] {
				if v > m || v != v {
					m = v
				}
			}
			or[o] = m
		}
	}
}

// vmaxGo is poolImpl.vmax.
func vmaxGo(x []float32, ldx, rows, n, kh, sh int, out []float32, ldo int) {
	for r := 0; r < rows; r++ {
		or := out[r*ldo : r*ldo+n]
		copy(or, x[r*sh*ldx:r*sh*ldx+n])
		for i := 1; i < kh; i++ {
			xi := x[(r*sh+i)*ldx : (r*sh+i)*ldx+n]
			for o, v := range xi {
				if v > or[o] || v != v {
					or[o] = v
				}
			}
		}
	}
}

// addToZero sets dst[i] = +0 + src[i] for i < len(src): src, with -0
// turned into +0 as a sum started from +0 turns it.
func addToZero(dst, src []float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		var s float32
		s += v
		dst[i] = s
	}
}
