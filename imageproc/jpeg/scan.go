package jpeg

import (
	"fmt"

	"github.com/alexnet-go/alexnet/internal/bufpool"
)

// scan is a parsed scan header (T.81 B.2.3).
type scan struct {
	comps          []int // indexes into decoder.comp
	ss, se, ah, al int
}

// readSOS parses a scan header, validates it as libjpeg does (jdmarker.c
// get_sos, jdphuff.c start_pass_phuff_decoder) and decodes the scan.
func (d *decoder) readSOS() error {
	p, err := d.src.segment()
	if err != nil {
		return err
	}
	sc, err := d.parseSOS(p)
	if err != nil {
		return err
	}
	if err := d.scanTables(&sc); err != nil {
		return err
	}
	if d.scans == 0 {
		if err := d.allocCoefficients(len(sc.comps)); err != nil {
			return err
		}
	} else if d.direct {
		// libjpeg would re-read coefficients that were never buffered;
		// a sequential frame whose first scan held every component is done.
		return nil
	}
	if d.scans++; d.scans > maxScans {
		return UnsupportedError(fmt.Sprintf("more than %d scans", maxScans))
	}
	return d.decodeScan(&sc)
}

// parseSOS parses the scan header segment p (T.81 B.2.3): its components
// and their table selectors, then its spectral selection and successive
// approximation, which a sequential frame ignores.
func (d *decoder) parseSOS(p []byte) (scan, error) {
	var sc scan
	if len(p) < 1 {
		return sc, FormatError("short SOS segment")
	}
	ns := int(p[0])
	if ns < 1 || ns > 4 || len(p) != 4+2*ns {
		return sc, FormatError("bad SOS length")
	}
	if err := d.scanComponents(&sc, p[1:1+2*ns]); err != nil {
		return sc, err
	}
	q := p[1+2*ns:]
	sc.ss, sc.se, sc.ah, sc.al = int(q[0]), int(q[1]), int(q[2]>>4), int(q[2]&15)
	if !d.progressive {
		sc.ss, sc.se, sc.ah, sc.al = 0, 63, 0, 0
		return sc, nil
	}
	bad := false
	if sc.ss == 0 {
		bad = sc.se != 0
	} else {
		bad = sc.se < sc.ss || sc.se > 63 || ns != 1
	}
	if sc.ah != 0 && sc.al != sc.ah-1 || sc.al > 13 {
		bad = true
	}
	if bad {
		return sc, FormatError(fmt.Sprintf("bad progressive scan Ss=%d Se=%d Ah=%d Al=%d", sc.ss, sc.se, sc.ah, sc.al))
	}
	return sc, nil
}

// scanComponents reads the (Csj, Tdj/Taj) pairs of a scan header into
// sc.comps, setting each component's table selectors.
func (d *decoder) scanComponents(sc *scan, pairs []byte) error {
	blocks := 0
	for i := 0; i < len(pairs)/2; i++ {
		id, tabs := pairs[2*i], pairs[2*i+1]
		ci := -1
		for j := range d.comp {
			if d.comp[j].id == id {
				ci = j
			}
		}
		if ci < 0 {
			return FormatError("SOS names an unknown component")
		}
		for _, k := range sc.comps {
			if k == ci {
				return FormatError("SOS repeats a component")
			}
		}
		c := &d.comp[ci]
		c.dcTab, c.acTab = int(tabs>>4), int(tabs&15)
		if !d.arith && (c.dcTab > 3 || c.acTab > 3) {
			return FormatError("bad Huffman table selector")
		}
		sc.comps = append(sc.comps, ci)
		blocks += c.h * c.v
	}
	if len(sc.comps) > 1 && blocks > 10 {
		return FormatError("sampling factors too large for interleaved scan")
	}
	return nil
}

// scanTables checks that the scan's Huffman tables are defined and loads
// each component's quantization table the first time it appears.
func (d *decoder) scanTables(sc *scan) error {
	for _, ci := range sc.comps {
		c := &d.comp[ci]
		needDC := !d.progressive || sc.ss == 0 && sc.ah == 0
		needAC := !d.progressive || sc.ss > 0
		if !d.arith && (needDC && !d.huff[0][c.dcTab].defined || needAC && !d.huff[1][c.acTab].defined) {
			return FormatError("scan uses an undefined Huffman table")
		}
		if !c.qSet {
			if !d.quantSet[c.tq] {
				return FormatError("missing quantization table")
			}
			for k, v := range d.quant[c.tq] {
				c.q[k] = int16(v)
			}
			c.qSet = true
		}
	}
	return nil
}

// allocCoefficients, at the first scan of ns components, checks the image
// size and allocates each component's storage: sample planes when one
// sequential scan holds every component (decoded directly), else
// coefficient buffers for the later scans.
func (d *decoder) allocCoefficients(ns int) error {
	if d.width*d.height > maxPixels {
		return UnsupportedError(fmt.Sprintf("image of %dx%d pixels is too large", d.width, d.height))
	}
	d.direct = !d.progressive && ns == len(d.comp)
	for i := range d.comp {
		c := &d.comp[i]
		if d.direct {
			c.plane = bufpool.Get(c.bw * c.bh * 64)
		} else {
			c.coef = make([]int16, c.bw*c.bh*64)
		}
	}
	return nil
}

// decodeScan decodes the entropy-coded segments of one scan, MCU by MCU
// (T.81 A.2 for the MCU layout; F.2 and G.2 for Huffman coding, F.1.4 and
// G.1.3 for arithmetic coding), handling restart intervals (T.81 B.2.5,
// libjpeg process_restart).
func (d *decoder) decodeScan(sc *scan) error {
	br := &bitReader{data: d.src.buf, pos: d.src.pos}
	var ar *arithScan
	if d.arith {
		ar = newArithScan(d.src.buf, d.src.pos)
	}
	for _, ci := range sc.comps {
		d.comp[ci].dcPred = 0
	}
	d.eobrun = 0
	blk := new([64]int16) // escapes to the kernel: one small allocation per scan
	nx, ny := d.mcusX, d.mcusY
	if len(sc.comps) == 1 {
		c := &d.comp[sc.comps[0]]
		nx, ny = ceilDiv(c.w, 8), ceilDiv(c.hgt, 8)
	}
	mcu := 0
	for my := 0; my < ny; my++ {
		for mx := 0; mx < nx; mx++ {
			if d.restart > 0 && mcu > 0 && mcu%d.restart == 0 {
				if ar != nil {
					ar.restart()
				} else {
					d.restartAt(br)
				}
				for _, ci := range sc.comps {
					d.comp[ci].dcPred = 0
				}
				d.eobrun = 0
			}
			mcu++
			for _, ci := range sc.comps {
				c := &d.comp[ci]
				bh, bv := c.h, c.v
				if len(sc.comps) == 1 {
					bh, bv = 1, 1
				}
				for v := 0; v < bv; v++ {
					for h := 0; h < bh; h++ {
						bx, by := mx*bh+h, my*bv+v
						var b *[64]int16
						if d.direct {
							*blk = [64]int16{}
							b = blk
						} else {
							b = (*[64]int16)(c.coef[(by*c.bw+bx)*64:])
						}
						var err error
						if ar != nil {
							err = ar.decodeBlock(d, sc, ci, b)
						} else {
							err = d.decodeBlock(br, sc, c, b)
						}
						if err != nil {
							return err
						}
						if d.direct {
							kernels.Get().idct(b, &c.q, c.plane[by*8*c.bw*8+bx*8:], c.bw*8)
						}
					}
				}
			}
			if br.overrun() {
				return errTruncated
			}
			if ar != nil && ar.qm.eof {
				return ar.qm.err()
			}
		}
	}
	d.src.pos = br.pos
	if ar != nil {
		d.src.pos = ar.qm.pos
	}
	return nil
}

// restartAt discards buffered bits, skips to the next marker and consumes
// it if it is a restart marker (any RSTn: libjpeg's jpeg_resync_to_restart
// is not reproduced, valid files always carry the expected one).
func (d *decoder) restartAt(br *bitReader) {
	br.reset()
	br.pos = skipToRestart(br.data, br.pos)
	br.eof = br.pos >= len(br.data)
}

// skipToRestart skips from data[p] to the next marker and returns the
// position after it if it is a restart marker, else the position of its
// 0xFF (or of the last byte, when no marker follows).
func skipToRestart(data []byte, p int) int {
	for p+1 < len(data) && !(data[p] == 0xFF && data[p+1] != 0 && data[p+1] != 0xFF) {
		p++
	}
	if p+1 < len(data) && data[p+1] >= mRST0 && data[p+1] <= mRST7 {
		p += 2
	}
	return p
}

// decodeBlock decodes one block's part of the scan into b (natural order).
func (d *decoder) decodeBlock(br *bitReader, sc *scan, c *component, b *[64]int16) error {
	if !d.progressive {
		return d.decodeSequential(br, c, b)
	}
	if sc.ss == 0 {
		if sc.ah == 0 {
			s, err := br.decode(&d.huff[0][c.dcTab])
			if err != nil {
				return err
			}
			c.dcPred += br.receiveExtend(uint(s))
			b[0] = int16(c.dcPred << uint(sc.al))
		} else if br.bits(1) != 0 {
			b[0] |= int16(1 << uint(sc.al))
		}
		return nil
	}
	if sc.ah == 0 {
		return d.acFirst(br, sc, &d.huff[1][c.acTab], b)
	}
	return d.acRefine(br, sc, &d.huff[1][c.acTab], b)
}

// decodeSequential decodes a whole block of a sequential scan (T.81
// F.2.2.1 and F.2.2.2; jdhuff.c decode_mcu_slow).
func (d *decoder) decodeSequential(br *bitReader, c *component, b *[64]int16) error {
	s, err := br.decode(&d.huff[0][c.dcTab])
	if err != nil {
		return err
	}
	c.dcPred += br.receiveExtend(uint(s))
	b[0] = int16(c.dcPred)
	ac := &d.huff[1][c.acTab]
	for k := 1; k < 64; k++ {
		// One refill covers a code (at most 16 bits) and its extra bits
		// (at most 15): fill leaves more than 56 bits.
		if br.n < 32 {
			br.fill()
		}
		i := (br.acc >> (br.n - lookBits)) & (1<<lookBits - 1)
		if f := ac.fastAC[i]; f != 0 {
			br.n -= uint(f & 31)
			k += int(f>>8) & 15
			b[unzig[k]] = int16(f >> 16)
			continue
		}
		var rs byte
		if v := ac.lookup[i]; v != 0 {
			br.n -= uint(v >> 8)
			rs = byte(v)
		} else if rs, err = br.decode(ac); err != nil {
			return err
		}
		r, s := int(rs>>4), uint(rs&15)
		if s != 0 {
			k += r
			// receiveExtend, without its refill check.
			br.n -= s
			v := int32((br.acc >> br.n) & (1<<s - 1))
			if v < 1<<(s-1) {
				v += -1<<s + 1
			}
			b[unzig[k]] = int16(v)
		} else {
			if r != 15 {
				break
			}
			k += 15
		}
	}
	return nil
}
