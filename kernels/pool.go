package kernels

import "math"

// MaxPool2d computes, for each of the g.C planes of x (C,H,W) and each
// output position of y (C,OH,OW),
//
//	y[c, oy, ox] = max over i < KH, j < KW of x[c, oy*SH-PH+i, ox*SW-PW+j]
//
// where positions in the padding are skipped (PyTorch pads max pooling
// with -inf). With PH = PW = 0 this is PyTorch's MaxPool2d with
// ceil_mode=False. Batches are passed as C = N*channels planes.
func MaxPool2d(g ConvGeom, x, y []float32) {
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

// AdaptiveAvgPool2d computes, for each of the planes planes of x
// (planes,H,W) and each output position of y (planes,OH,OW),
//
//	y[c, oy, ox] = mean of x[c, iy, ix] over iy in [y0, y1), ix in [x0, x1)
//	y0 = floor(oy*H/OH), y1 = ceil((oy+1)*H/OH)
//	x0 = floor(ox*W/OW), x1 = ceil((ox+1)*W/OW)
//
// PyTorch's adaptive_avg_pool2d windows: they overlap when H is not a
// multiple of OH and repeat inputs when OH > H. The sum runs in row-major
// order and is divided by the window size.
func AdaptiveAvgPool2d(planes, h, w, oh, ow int, x, y []float32) {
	for c := 0; c < planes; c++ {
		plane := x[c*h*w : (c+1)*h*w]
		out := y[c*oh*ow : (c+1)*oh*ow]
		for oy := 0; oy < oh; oy++ {
			y0, y1 := oy*h/oh, ((oy+1)*h+oh-1)/oh
			for ox := 0; ox < ow; ox++ {
				x0, x1 := ox*w/ow, ((ox+1)*w+ow-1)/ow
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
}
