package jpeg

// qmDecoder is the QM-coder arithmetic decoder of T.81 Annex D.2. Its
// registers follow the spec's decoder conventions (D.2.1): c is the 32-bit
// code register whose upper 16 bits are Cx and whose bits 8-15 receive
// each new byte (Byte_in); a is the interval register, where 0x10000
// stands for the value 1.0 that Initdec leaves in the 16-bit register.
//
// Byte_in (D.2.6) removes the zero byte stuffed after 0xFF. A marker ends
// the entropy-coded segment: from there on the decoder is fed zero bytes
// and the position stays on the marker's 0xFF, as libjpeg's jdarith.c
// get_byte convention does (an encoder may drop the segment's trailing zero
// bytes, D.1.8). Running out of input before a marker sets eof: Pillow
// reports such files as truncated.
//
// Pillow feeds libjpeg the file in 64 KiB blocks (ImageFile.MAXBLOCK),
// and libjpeg's arithmetic decoder, unlike its Huffman decoder, cannot
// suspend to wait for the next block (jdarith.c: JERR_CANT_SUSPEND, which
// Pillow reports as "broken data stream"). So data is cut where Pillow's
// feed ends when the scan starts, and cut records that eof means this.
type qmDecoder struct {
	data   []byte
	pos    int
	c, a   uint32
	ct     int // bits of the last input byte not yet shifted into Cx
	marker bool
	eof    bool
	cut    bool // data stops short of the file, at Pillow's feed boundary
}

// pillowBlock is the size of the reads Pillow feeds libjpeg with.
const pillowBlock = 65536

// pillowFed returns how much of a file Pillow has given libjpeg once the
// marker parser has read up to offset pos: whole blocks, at least one,
// since the marker parser suspends and asks for more when it runs out.
func pillowFed(pos int) int {
	return max(pillowBlock, ceilDiv(pos, pillowBlock)*pillowBlock)
}

// err returns the error for a decoder that ran out of input.
func (q *qmDecoder) err() error {
	if q.cut {
		return UnsupportedError("arithmetic-coded scan crosses one of Pillow's 64 KiB read blocks")
	}
	return errTruncated
}

// init is Initdec (T.81 Figure D.24): two bytes into Cx, A = 1.0.
func (q *qmDecoder) init() {
	q.c = 0
	q.byteIn()
	q.c <<= 8
	q.byteIn()
	q.c <<= 8
	q.ct = 0
	q.a = 0x10000
}

// byteIn is Byte_in (T.81 Figure D.25), with libjpeg's handling of 0xFF
// fill bytes before a stuffed zero or a marker.
func (q *qmDecoder) byteIn() {
	if q.marker || q.eof {
		return
	}
	if q.pos >= len(q.data) {
		q.eof = true
		return
	}
	b := q.data[q.pos]
	if b != 0xFF {
		q.pos++
		q.c += uint32(b) << 8
		return
	}
	p := q.pos + 1
	for p < len(q.data) && q.data[p] == 0xFF {
		p++
	}
	switch {
	case p >= len(q.data):
		q.eof = true
	case q.data[p] == 0:
		q.pos = p + 1
		q.c += 0xFF00
	default:
		q.marker = true
	}
}

// decode is Decode(S) (T.81 Figure D.20) for the statistics bin st, whose
// bit 7 is the MPS sense and whose low 7 bits index qeTable. It returns
// the decoded binary decision and updates the bin's estimate (D.2.5).
func (q *qmDecoder) decode(st *byte) int {
	s := *st
	e := &qeTable[s&0x7F]
	mps := int(s >> 7)
	qe := uint32(e.qe)
	q.a -= qe
	if q.c>>16 < q.a {
		if q.a >= 0x8000 {
			return mps
		}
		// Cond_MPS_exchange (Figure D.22).
		d := mps
		if q.a < qe {
			d = 1 - mps
			*st = afterLPS(s, e)
		} else {
			*st = s&0x80 | e.nmps
		}
		q.renorm()
		return d
	}
	// Cond_LPS_exchange (Figure D.21).
	q.c -= q.a << 16
	d := 1 - mps
	if q.a < qe {
		d = mps
		*st = s&0x80 | e.nmps
	} else {
		*st = afterLPS(s, e)
	}
	q.a = qe
	q.renorm()
	return d
}

// decodeFixed decodes one decision with the non-adapting estimate of about
// one half (fixedState).
func (q *qmDecoder) decodeFixed() int {
	st := byte(fixedState)
	return q.decode(&st)
}

// afterLPS is Estimate_Qe_after_LPS (T.81 Figure D.8).
func afterLPS(s byte, e *qeEntry) byte {
	if e.sw {
		s ^= 0x80
	}
	return s&0x80 | e.nlps
}

// renorm is Renorm_d (T.81 Figure D.23).
func (q *qmDecoder) renorm() {
	for q.a < 0x8000 {
		if q.ct == 0 {
			q.byteIn()
			q.ct = 8
		}
		q.a <<= 1
		q.c <<= 1
		q.ct--
	}
}

// resetConditioning sets the arithmetic conditioning tables to their
// defaults (T.81 F.1.4.4.1.4 and F.1.4.4.2.1: L = 0, U = 1, Kx = 5), as
// libjpeg does at SOI.
func (d *decoder) resetConditioning() {
	for i := range d.dacL {
		d.dacL[i], d.dacU[i], d.dacK[i] = 0, 1, 5
	}
}

// readDAC parses a define-arithmetic-conditioning segment (T.81 B.2.4.3)
// with libjpeg's checks (jdmarker.c get_dac): table class 0 or 1, any of
// 16 destinations, L <= U; Kx is taken as coded.
func (d *decoder) readDAC() error {
	p, err := d.src.segment()
	if err != nil {
		return err
	}
	if len(p)%2 != 0 {
		return FormatError("bad DAC length")
	}
	for ; len(p) > 0; p = p[2:] {
		tc, tb, cs := p[0]>>4, p[0]&15, p[1]
		switch {
		case tc > 1:
			return FormatError("bad DAC table class")
		case tc == 1:
			d.dacK[tb] = cs
		case cs&15 > cs>>4:
			return FormatError("bad DAC value: L > U")
		default:
			d.dacL[tb], d.dacU[tb] = cs&15, cs>>4
		}
	}
	return nil
}
