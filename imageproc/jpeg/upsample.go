package jpeg

// Upsampling methods of jdsample.c jinit_upsampler, for Pillow's
// do_fancy_upsampling = TRUE.
const (
	upFull = iota // fullsize_upsample: the component is full size
	upBox         // int_upsample, h2v1_upsample, h2v2_upsample: replication
	upH2V1        // h2v1_fancy_upsample
	upH2V2        // h2v2_fancy_upsample
	upH1V2        // h1v2_fancy_upsample (libjpeg-turbo 2.0+)
)

// upsampler produces one component's samples at full image resolution, one
// output row at a time.
type upsampler struct {
	c      *component
	method int
	hx, vx int // integral expansion factors hmax/h, vmax/v
	stride int // plane row length
	width  int // image width
	buf    []byte
	last   int // output row held in buf by upBox, or -1
}

// newUpsampler picks the method exactly as jinit_upsampler does: the
// fancy (triangle-filter) methods for 2:1 ratios when the component is
// more than 2 samples wide (h2v1, h2v2) or always (h1v2), box replication
// for other integral ratios, and an error for fractional ones.
func (d *decoder) newUpsampler(c *component) (*upsampler, error) {
	u := &upsampler{c: c, stride: c.bw * 8, width: d.width, last: -1}
	hin, vin, hout, vout := c.h, c.v, d.hmax, d.vmax
	switch {
	case hin == hout && vin == vout:
		u.method = upFull
	case hin*2 == hout && vin == vout && c.w > 2:
		u.method = upH2V1
	case hin*2 == hout && vin*2 == vout && c.w > 2:
		u.method = upH2V2
	case hin == hout && vin*2 == vout:
		u.method = upH1V2
	case hout%hin == 0 && vout%vin == 0:
		u.method = upBox
	default:
		return nil, UnsupportedError("fractional sampling")
	}
	u.hx, u.vx = hout/hin, vout/vin
	u.buf = make([]byte, d.width+2*u.hx)
	return u, nil
}

// row returns output row y (len >= image width); the slice is valid until
// the next call.
func (u *upsampler) row(y int) []byte {
	c := u.c
	switch u.method {
	case upFull:
		return c.plane[y*u.stride : y*u.stride+u.width]
	case upBox:
		if y/u.vx != u.last {
			u.last = y / u.vx
			in := c.plane[u.last*u.stride:]
			out := u.buf[:u.width]
			for x := range out {
				out[x] = in[x/u.hx]
			}
		}
		return u.buf
	case upH2V1:
		in := c.plane[y*u.stride : y*u.stride+c.w]
		kernels.Get().h2v1(in, u.buf)
		return u.buf
	}
	r, near, bias := u.neighbour(y)
	in := c.plane[r*u.stride : r*u.stride+c.w]
	nb := c.plane[near*u.stride : near*u.stride+c.w]
	if u.method == upH1V2 {
		out := u.buf[:c.w]
		for x := range out {
			out[x] = byte((3*int(in[x]) + int(nb[x]) + bias) >> 2)
		}
		return u.buf
	}
	kernels.Get().h2v2(in, nb, u.buf)
	return u.buf
}

// neighbour gives, for output row y of a vertical 2:1 ratio, the input row,
// the context row (the one above for even y, below for odd y, replicating
// the first and last real rows as jdmainct.c's context pointers do) and the
// h1v2 rounding bias (1 above, 2 below).
func (u *upsampler) neighbour(y int) (r, near, bias int) {
	r = y / 2
	if y&1 == 0 {
		return r, max(r-1, 0), 1
	}
	return r, min(r+1, u.c.hgt-1), 2
}

// h2v1Fancy doubles a row horizontally with weights 3/4, 1/4 (jdsample.c
// h2v1_fancy_upsample): out[2i] = (3*in[i]+in[i-1]+1)>>2, out[2i+1] =
// (3*in[i]+in[i+1]+2)>>2, the end samples copied. len(in) > 2.
func h2v1Fancy(in, out []byte) { h2v1Span(in, out, 1) }

// h2v1Span is h2v1Fancy leaving out the interior samples 1 to from-1, which
// a vector kernel has done.
func h2v1Span(in, out []byte, from int) {
	n := len(in)
	out = out[:2*n]
	out[0] = in[0]
	out[1] = byte((3*int(in[0]) + int(in[1]) + 2) >> 2)
	for i := from; i < n-1; i++ {
		t := 3 * int(in[i])
		out[2*i] = byte((t + int(in[i-1]) + 1) >> 2)
		out[2*i+1] = byte((t + int(in[i+1]) + 2) >> 2)
	}
	out[2*n-2] = byte((3*int(in[n-1]) + int(in[n-2]) + 1) >> 2)
	out[2*n-1] = in[n-1]
}

// h2v2Fancy makes one output row of jdsample.c h2v2_fancy_upsample from
// the nearer input row in and the context row nb: column sums
// s[i] = 3*in[i]+nb[i], then out[2i] = (3*s[i]+s[i-1]+8)>>4 and
// out[2i+1] = (3*s[i]+s[i+1]+7)>>4, with s[-1] = s[0], s[n] = s[n-1].
// len(in) > 2.
func h2v2Fancy(in, nb, out []byte) { h2v2Span(in, nb, out, 1) }

// h2v2Span is h2v2Fancy leaving out the interior samples 1 to from-1,
// which a vector kernel has done.
func h2v2Span(in, nb, out []byte, from int) {
	n := len(in)
	nb, out = nb[:n], out[:2*n]
	s := func(i int) int { return 3*int(in[i]) + int(nb[i]) }
	first := s(0)
	out[0] = byte((first*4 + 8) >> 4)
	out[1] = byte((first*3 + s(1) + 7) >> 4)
	last, this := s(from-1), s(from)
	for i := from; i < n-1; i++ {
		next := s(i + 1)
		out[2*i] = byte((this*3 + last + 8) >> 4)
		out[2*i+1] = byte((this*3 + next + 7) >> 4)
		last, this = this, next
	}
	this, last = s(n-1), s(n-2)
	out[2*n-2] = byte((this*3 + last + 8) >> 4)
	out[2*n-1] = byte((this*4 + 7) >> 4)
}
