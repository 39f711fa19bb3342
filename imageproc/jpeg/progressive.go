package jpeg

// acFirst decodes the first scan of a band of AC coefficients (T.81
// G.1.2.2; jdphuff.c decode_mcu_AC_first), with end-of-band runs.
func (d *decoder) acFirst(br *bitReader, sc *scan, t *huffTable, b *[64]int16) error {
	if d.eobrun > 0 {
		d.eobrun--
		return nil
	}
	for k := sc.ss; k <= sc.se; k++ {
		rs, err := br.decode(t)
		if err != nil {
			return err
		}
		r, s := int(rs>>4), uint(rs&15)
		if s != 0 {
			k += r
			b[unzig[k]] = int16(br.receiveExtend(s) << uint(sc.al))
			continue
		}
		if r == 15 {
			k += 15
			continue
		}
		d.eobrun = 1 << uint(r)
		if r != 0 {
			d.eobrun += int(br.bits(uint(r)))
		}
		d.eobrun--
		break
	}
	return nil
}

// acRefine decodes a successive-approximation refinement scan of a band of
// AC coefficients (T.81 G.1.2.3; jdphuff.c decode_mcu_AC_refine): newly
// non-zero coefficients get +-1<<Al, already non-zero ones a correction bit.
func (d *decoder) acRefine(br *bitReader, sc *scan, t *huffTable, b *[64]int16) error {
	p1 := int16(1) << uint(sc.al)
	m1 := int16(-1) << uint(sc.al)
	k := sc.ss
	if d.eobrun == 0 {
		for ; k <= sc.se; k++ {
			rs, err := br.decode(t)
			if err != nil {
				return err
			}
			r, s := int(rs>>4), int16(rs&15)
			if s != 0 {
				if br.bits(1) != 0 {
					s = p1
				} else {
					s = m1
				}
			} else if r != 15 {
				d.eobrun = 1 << uint(r)
				if r != 0 {
					d.eobrun += int(br.bits(uint(r)))
				}
				break
			}
			for ; k <= sc.se; k++ {
				z := &b[unzig[k]]
				if *z != 0 {
					refineBit(br, z, p1, m1)
				} else {
					r--
					if r < 0 {
						break
					}
				}
			}
			if s != 0 {
				b[unzig[k]] = s
			}
		}
	}
	if d.eobrun > 0 {
		for ; k <= sc.se; k++ {
			if z := &b[unzig[k]]; *z != 0 {
				refineBit(br, z, p1, m1)
			}
		}
		d.eobrun--
	}
	return nil
}

// refineBit applies one correction bit to an already non-zero coefficient.
func refineBit(br *bitReader, z *int16, p1, m1 int16) {
	if br.bits(1) != 0 && *z&p1 == 0 {
		if *z >= 0 {
			*z += p1
		} else {
			*z += m1
		}
	}
}
