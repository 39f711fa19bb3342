package jpeg

import (
	"encoding/binary"
	"fmt"
)

// Marker codes, the byte after 0xFF (T.81 Table B.1).
const (
	mSOF0 = 0xC0 // baseline DCT
	mSOF1 = 0xC1 // extended sequential DCT, Huffman
	mSOF2 = 0xC2 // progressive DCT, Huffman
	mDHT  = 0xC4
	mSOF9 = 0xC9 // extended sequential DCT, arithmetic
	mSOFA = 0xCA // progressive DCT, arithmetic
	mDAC  = 0xCC
	mRST0 = 0xD0
	mRST7 = 0xD7
	mSOI  = 0xD8
	mEOI  = 0xD9
	mSOS  = 0xDA
	mDQT  = 0xDB
	mDRI  = 0xDD
	mAPP0 = 0xE0
	mAPPE = 0xEE
	mTEM  = 0x01
)

// Colour spaces of the coded components, as libjpeg names them.
const (
	csGray = iota
	csYCbCr
	csRGB
	csCMYK
	csYCCK
)

// component is one image component (T.81 B.2.2) with its decoded data.
type component struct {
	id     byte
	h, v   int       // sampling factors
	tq     int       // quantisation table selector
	q      [64]int16 // low 16 bits of the quantisation table (see idctGo)
	qSet   bool      // q latched at the component's first scan (jdinput.c)
	w, hgt int       // real size in samples: ceil(width*h/hmax) x ceil(height*v/vmax)
	bw, bh int       // size in blocks of coef and plane
	coef   []int16   // bw*bh blocks of 64 coefficients in natural order
	plane  []byte    // (bw*8) x (bh*8) samples after the inverse DCT
	dcPred int32
	dcTab  int // scan's DC and AC entropy table selectors
	acTab  int
}

// decoder holds the state of one decode.
type decoder struct {
	src           source
	width, height int
	progressive   bool
	comp          []component
	hmax, vmax    int
	mcusX, mcusY  int
	quant         [4][64]int32 // natural order
	quantSet      [4]bool
	huff          [2][4]huffTable // [class: 0 DC, 1 AC][slot]
	arith         bool            // arithmetic coding (SOF9, SOF10)
	dacL, dacU    [16]byte        // DC conditioning bounds (T.81 F.1.4.4.1.2)
	dacK          [16]byte        // AC conditioning Kx (T.81 F.1.4.4.2.1)
	restart       int
	sawJFIF       bool
	sawAdobe      bool
	adobeXform    byte
	frameSeen     bool
	scans         int
	direct        bool // the first scan filled every plane directly
	eobrun        int
}

// decode parses the stream marker by marker (T.81 B.2, libjpeg's
// read_markers in jdmarker.c). With configOnly it stops after the frame
// header.
func (d *decoder) decode(configOnly bool) error {
	b, err := d.src.readN(2)
	if err != nil || b[0] != 0xFF || b[1] != mSOI {
		return FormatError("missing SOI marker")
	}
	d.resetConditioning()
	for {
		m, err := d.src.nextMarker()
		if err != nil {
			return err
		}
		switch {
		case m == mSOF0 || m == mSOF1 || m == mSOF2 || m == mSOF9 || m == mSOFA:
			if d.frameSeen {
				return FormatError("multiple SOF markers")
			}
			d.arith = m == mSOF9 || m == mSOFA
			if err := d.readSOF(m == mSOF2 || m == mSOFA); err != nil {
				return err
			}
			if configOnly {
				return nil
			}
		case m == 0xC3 || m == 0xCB:
			return UnsupportedError("lossless JPEG")
		case m >= 0xC5 && m <= 0xC7 || m >= 0xCD && m <= 0xCF:
			return UnsupportedError("hierarchical JPEG")
		case m == mDAC:
			if err := d.readDAC(); err != nil {
				return err
			}
		case m == 0xC8 || m == 0xDE || m == 0xDF:
			return UnsupportedError(fmt.Sprintf("marker 0x%02X", m))
		case m == mDHT:
			if err := d.readDHT(); err != nil {
				return err
			}
		case m == mDQT:
			if err := d.readDQT(); err != nil {
				return err
			}
		case m == mDRI:
			p, err := d.src.segment()
			if err != nil {
				return err
			}
			if len(p) != 2 {
				return FormatError("bad DRI length")
			}
			d.restart = int(binary.BigEndian.Uint16(p))
		case m == mSOS:
			if !d.frameSeen {
				return FormatError("SOS before SOF")
			}
			if configOnly {
				return nil
			}
			if err := d.readSOS(); err != nil {
				return err
			}
		case m == mEOI:
			if !d.frameSeen || d.scans == 0 {
				return FormatError("no image data")
			}
			return nil
		case m >= mRST0 && m <= mRST7 || m == mTEM || m == mSOI:
			// Parameterless; libjpeg ignores stray ones.
		case m == mAPP0 || m == mAPPE:
			p, err := d.src.segment()
			if err != nil {
				return err
			}
			d.examineApp(m, p)
		default:
			if _, err := d.src.segment(); err != nil {
				return err
			}
		}
	}
}

// readSOF parses a frame header (T.81 B.2.2) and derives the MCU geometry
// as jdinput.c initial_setup does.
func (d *decoder) readSOF(progressive bool) error {
	p, err := d.src.segment()
	if err != nil {
		return err
	}
	if len(p) < 6 {
		return FormatError("short SOF segment")
	}
	if p[0] != 8 {
		return UnsupportedError(fmt.Sprintf("%d-bit samples", p[0]))
	}
	d.height = int(binary.BigEndian.Uint16(p[1:]))
	d.width = int(binary.BigEndian.Uint16(p[3:]))
	nc := int(p[5])
	if len(p) != 6+3*nc {
		return FormatError("bad SOF length")
	}
	if d.width == 0 || d.height == 0 {
		return UnsupportedError("empty image or DNL height")
	}
	if d.width > 65500 || d.height > 65500 {
		return UnsupportedError("image dimension over 65500")
	}
	if nc != 1 && nc != 3 && nc != 4 {
		return UnsupportedError(fmt.Sprintf("%d components", nc))
	}
	d.frameSeen, d.progressive = true, progressive
	d.comp = make([]component, nc)
	d.hmax, d.vmax = 1, 1
	for i := range d.comp {
		c := &d.comp[i]
		c.id, c.h, c.v, c.tq = p[6+3*i], int(p[7+3*i]>>4), int(p[7+3*i]&15), int(p[8+3*i])
		if c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 {
			return FormatError("bad sampling factors")
		}
		if c.tq > 3 {
			return FormatError("bad quantization table selector")
		}
		d.hmax, d.vmax = max(d.hmax, c.h), max(d.vmax, c.v)
	}
	d.mcusX = ceilDiv(d.width, 8*d.hmax)
	d.mcusY = ceilDiv(d.height, 8*d.vmax)
	for i := range d.comp {
		c := &d.comp[i]
		c.w = ceilDiv(d.width*c.h, d.hmax)
		c.hgt = ceilDiv(d.height*c.v, d.vmax)
		if nc == 1 {
			c.bw, c.bh = ceilDiv(c.w, 8), ceilDiv(c.hgt, 8)
		} else {
			c.bw, c.bh = d.mcusX*c.h, d.mcusY*c.v
		}
	}
	return nil
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// readDQT parses quantisation tables (T.81 B.2.4.1), storing them in
// natural order as jdmarker.c get_dqt does.
func (d *decoder) readDQT() error {
	p, err := d.src.segment()
	if err != nil {
		return err
	}
	for len(p) > 0 {
		pq, tq := p[0]>>4, int(p[0]&15)
		if tq > 3 || pq > 1 {
			return FormatError("bad DQT table")
		}
		n := 64 << pq
		if len(p) < 1+n {
			return FormatError("short DQT segment")
		}
		for k := 0; k < 64; k++ {
			var v int32
			if pq == 0 {
				v = int32(p[1+k])
			} else {
				v = int32(binary.BigEndian.Uint16(p[1+2*k:]))
			}
			d.quant[tq][unzig[k]] = v
		}
		d.quantSet[tq] = true
		p = p[1+n:]
	}
	return nil
}

// readDHT parses Huffman tables (T.81 B.2.4.2).
func (d *decoder) readDHT() error {
	p, err := d.src.segment()
	if err != nil {
		return err
	}
	for len(p) > 0 {
		if len(p) < 17 {
			return FormatError("short DHT segment")
		}
		tc, th := p[0]>>4, p[0]&15
		if tc > 1 || th > 3 {
			return FormatError("bad DHT table class or slot")
		}
		var counts [16]byte
		copy(counts[:], p[1:17])
		total := 0
		for _, n := range counts {
			total += int(n)
		}
		if total > 256 || len(p) < 17+total {
			return FormatError("bad DHT table length")
		}
		if err := d.huff[tc][th].build(&counts, p[17:17+total], tc == 0); err != nil {
			return err
		}
		p = p[17+total:]
	}
	return nil
}

// unzig maps zig-zag index to natural (row-major) index (T.81 Figure A.6);
// the 16 extra entries absorb run lengths past 63 in corrupt data, as
// libjpeg's jpeg_natural_order does.
var unzig = [80]int{
	0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
	63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
}
