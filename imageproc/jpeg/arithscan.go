package jpeg

// arithScan is the state of one arithmetic-coded scan: the QM decoder,
// the adaptive statistics bins of every conditioning table and each
// component's DC conditioning category. Bins of a table are shared by the
// components that select it; the categories are per component.
type arithScan struct {
	qm    qmDecoder
	dcCtx [4]int
	dc    [16][64]byte  // DC bins of Table F.4 (S0 + 0..3, X1..X15, M2..M15)
	ac    [16][256]byte // AC bins of Table F.5 (SE, S0, SP/SN/X1 per k; X2.., M2..)
}

// newArithScan starts decoding at data[pos], just after the scan header,
// with all statistics reset (T.81 F.1.4.4, G.1.3: each scan starts with
// fresh estimates). Input past what Pillow has fed libjpeg is cut off.
func newArithScan(data []byte, pos int) *arithScan {
	s := &arithScan{qm: qmDecoder{data: data, pos: pos}}
	if fed := pillowFed(pos); fed < len(data) {
		s.qm.data, s.qm.cut = data[:fed], true
	}
	s.qm.init()
	return s
}

// restart moves past the next restart marker and resets the decoder, the
// statistics and the DC categories (T.81 F.1.4.4: "at the start of each
// restart interval"; D.2.7 Initdec).
func (s *arithScan) restart() {
	p := skipToRestart(s.qm.data, s.qm.pos)
	*s = arithScan{qm: qmDecoder{data: s.qm.data, pos: p, cut: s.qm.cut}}
	s.qm.init()
}

// decodeBlock decodes one block's part of the scan into b (natural order)
// for component ci: T.81 F.1.4 for sequential scans, G.1.3 for progressive
// ones.
func (s *arithScan) decodeBlock(d *decoder, sc *scan, ci int, b *[64]int16) error {
	c := &d.comp[ci]
	if !d.progressive {
		v, err := s.decodeDC(d, ci)
		if err != nil {
			return err
		}
		c.dcPred += v
		b[0] = int16(c.dcPred)
		return s.decodeAC(d, c, b, 1, 63, 0)
	}
	switch {
	case sc.ss == 0 && sc.ah == 0:
		v, err := s.decodeDC(d, ci)
		if err != nil {
			return err
		}
		c.dcPred += v
		b[0] = int16(c.dcPred << uint(sc.al))
	case sc.ss == 0:
		// G.1.3.1: a refinement bit at the fixed estimate.
		if s.qm.decodeFixed() != 0 {
			b[0] |= int16(1 << uint(sc.al))
		}
	case sc.ah == 0:
		return s.decodeAC(d, c, b, sc.ss, sc.se, uint(sc.al))
	default:
		return s.refineAC(c, b, sc.ss, sc.se, uint(sc.al))
	}
	return nil
}

// decodeDC decodes one DC difference (T.81 F.1.4.4.1, Figures F.19 to
// F.24) and updates the component's conditioning category from it
// (F.1.4.4.1.2): zero when |DIFF| <= 2^L / 2, large when |DIFF| > 2^U,
// small otherwise; 0, 4 and 12 for positive, 8 and 16 for negative.
func (s *arithScan) decodeDC(d *decoder, ci int) (int32, error) {
	tb := d.comp[ci].dcTab
	st := &s.dc[tb]
	s0 := s.dcCtx[ci]
	if s.qm.decode(&st[s0]) == 0 {
		s.dcCtx[ci] = 0
		return 0, nil
	}
	sign := s.qm.decode(&st[s0+1])
	v, err := s.magnitude(st[:], s0+2+sign, 20, 21)
	if err != nil {
		return 0, err
	}
	switch {
	case v <= int32(1)<<d.dacL[tb]>>1:
		s.dcCtx[ci] = 0
	case v > int32(1)<<d.dacU[tb]:
		s.dcCtx[ci] = 12 + 4*sign
	default:
		s.dcCtx[ci] = 4 + 4*sign
	}
	if sign != 0 {
		v = -v
	}
	return v, nil
}

// magnitude decodes |V| (at least 1) of a non-zero value: the magnitude
// category (Figure F.23), its first decision in bin first and the later
// ones in the chain X1, X2, X2+1, X2+2, ..., then the low-order bits
// (Figure F.24) in bin Xi+14 for the last category bin Xi. A category over
// 15 bits is corrupt data.
func (s *arithScan) magnitude(st []byte, first, x1, x2 int) (int32, error) {
	if s.qm.decode(&st[first]) == 0 {
		return 1, nil
	}
	m := int32(1)
	i := x1
	for s.qm.decode(&st[i]) != 0 {
		if m <<= 1; m == 0x8000 {
			return 0, FormatError("arithmetic-coded magnitude too large")
		}
		if i == x1 {
			i = x2
		} else {
			i++
		}
	}
	v := m
	for bit := m >> 1; bit != 0; bit >>= 1 {
		if s.qm.decode(&st[i+14]) != 0 {
			v |= bit
		}
	}
	return v + 1, nil
}

// decodeAC decodes coefficients ss..se of a sequential block (T.81
// F.1.4.4.2, Figure F.20) or of a progressive first AC scan (G.1.3.2),
// scaled by 2^al. For coefficient k the end-of-block bin is SE = 3(k-1),
// the zero/non-zero bin S0 = SE+1, and SP = SN = X1 = SE+2; X2 is 189 for
// k <= Kx and 217 above.
func (s *arithScan) decodeAC(d *decoder, c *component, b *[64]int16, ss, se int, al uint) error {
	st := &s.ac[c.acTab]
	kx := int(d.dacK[c.acTab])
	for k := ss; k <= se; k++ {
		i := 3 * (k - 1)
		if s.qm.decode(&st[i]) != 0 {
			break
		}
		for s.qm.decode(&st[i+1]) == 0 {
			i += 3
			if k++; k > se {
				return FormatError("arithmetic-coded coefficient past the band")
			}
		}
		sign := s.qm.decodeFixed()
		x2 := 217
		if k <= kx {
			x2 = 189
		}
		v, err := s.magnitude(st[:], i+2, i+2, x2)
		if err != nil {
			return err
		}
		if sign != 0 {
			v = -v
		}
		b[unzig[k]] = int16(v << al)
	}
	return nil
}

// refineAC decodes a successive-approximation refinement scan of
// coefficients ss..se (T.81 G.1.3.3, Figure G.10). End-of-block decisions
// are coded only past EOBx, the last coefficient already non-zero; a
// non-zero coefficient gets a correction bit in bin SC = SE+2, a zero one
// a zero/non-zero decision in S0 = SE+1 and, when it becomes non-zero, a
// sign at the fixed estimate.
func (s *arithScan) refineAC(c *component, b *[64]int16, ss, se int, al uint) error {
	st := &s.ac[c.acTab]
	p1 := int16(1) << al
	m1 := int16(-1) << al
	eobx := se
	for eobx > 0 && b[unzig[eobx]] == 0 {
		eobx--
	}
	for k := ss; k <= se; k++ {
		i := 3 * (k - 1)
		if k > eobx && s.qm.decode(&st[i]) != 0 {
			break
		}
		for {
			z := &b[unzig[k]]
			if *z != 0 {
				if s.qm.decode(&st[i+2]) != 0 {
					if *z < 0 {
						*z += m1
					} else {
						*z += p1
					}
				}
				break
			}
			if s.qm.decode(&st[i+1]) != 0 {
				*z = p1
				if s.qm.decodeFixed() != 0 {
					*z = m1
				}
				break
			}
			i += 3
			if k++; k > se {
				return FormatError("arithmetic-coded coefficient past the band")
			}
		}
	}
	return nil
}
