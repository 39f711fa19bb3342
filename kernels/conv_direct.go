package kernels

import "math"

// offsetRows are the start offsets, in floats, of the rows of an implicit
// B operand (see microArch.gemmOff), none negative, with their maximum.
type offsetRows struct {
	offs []int32
	max  int
}

// im2colOffsets returns, for each row q = (c*KH+i)*KW+j of im2col(x), the
// offset in in.data of the element read for output (0, 0): output (oy,
// ox) of that row is then in.data[offs[q] + oy*SH*rowLen + ox], rowLen =
// SW*qn (see convInput).
func (in *convInput) im2colOffsets(rows *offsetRows) {
	g := in.g
	k := g.C * g.KH * g.KW
	rowLen := g.SW * in.qn
	if cap(rows.offs) < k {
		rows.offs = make([]int32, k)
	}
	rows.offs, rows.max = rows.offs[:k], 0
	for q := range rows.offs {
		kj, ki, ch := q%g.KW, q/g.KW%g.KH, q/(g.KW*g.KH)
		o := (ch*in.hp+ki)*rowLen + kj%g.SW*in.qn + kj/g.SW
		if o > math.MaxInt32 {
			panic("kernels: im2col offset overflows int32")
		}
		rows.offs[q] = int32(o)
		rows.max = max(rows.max, o)
	}
}

// useConvDirect reports whether Conv should run as convDirect with arch:
// arch has a gemmOff kernel, and an output row fills its NR-wide strips
// with at most 1/6 of the columns wasted; the im2col then is never packed,
// which pays where the weights have few rows (AlexNet's conv1: 64 or 96
// filters, 55 output columns in two strips of 32).
func useConvDirect(arch *microArch, g ConvGeom) bool {
	ow := g.OW()
	strips := (ow + arch.nr - 1) / arch.nr
	return arch.gemmOff != nil && ow > 0 && 6*(strips*arch.nr-ow) <= strips*arch.nr
}

// convDirect computes output rows [oy0, oy1) of one image and group of
// Conv: y (M×OH*OW) = bias + a × im2col(x), with im2col(x) read in place
// from in (prepared from x) through rows, strip by strip of each output
// row. zeros holds at least NR zeros.
func convDirect(arch *microArch, a *PackedA, in *convInput, rows *offsetRows, bias, y []float32, relu bool, oy0, oy1 int, zeros []float32) {
	g := in.g
	m, k := a.M, a.K
	mr, nr := arch.mr, arch.nr
	ow, hw := g.OW(), g.OH()*g.OW()
	step := g.SH * g.SW * in.qn
	data := in.data[:cap(in.data)]
	for oy := oy0; oy < oy1; oy++ {
		for ox := 0; ox < ow; ox += nr {
			n := min(nr, ow-ox)
			b := data[oy*step+ox:]
			for pc := 0; pc < k; pc += a.kc {
				kc := min(a.kc, k-pc)
				flags := 0
				if pc > 0 {
					flags = gemmAccum
				}
				if relu && pc+kc == k {
					flags |= gemmReLU
				}
				for is := 0; is < m; is += mr {
					rs := min(mr, m-is)
					c := y[is*hw+oy*ow+ox : (is+rs-1)*hw+oy*ow+ox+n]
					arch.gemmOff(rs, n, kc, a.strip(pc, kc, is/mr), b, rows, pc, c, hw, bias[is:], zeros, flags)
				}
			}
		}
	}
}
