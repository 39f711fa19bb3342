package jpeg

import "encoding/binary"

// lookBits is the width of the fast Huffman lookup, as HUFF_LOOKAHEAD in
// libjpeg's jdhuff.h.
const lookBits = 9

// huffTable is a decoding table derived from a DHT segment the way
// jdhuff.c jpeg_make_d_derived_tbl does it (T.81 Annex C and F.2.2.3).
type huffTable struct {
	defined bool
	// lookup holds len<<8|value for codes of at most lookBits bits,
	// indexed by the next lookBits bits; 0 means a longer code.
	lookup [1 << lookBits]uint16
	// fastAC, for AC tables, holds v<<16 | r<<8 | l+s for a code of l bits
	// coding run r and size s != 0 whose extra bits fit in the lookup too
	// (l+s <= lookBits): v is the coefficient those bits give (EXTEND).
	// 0 means the slow path.
	fastAC  [1 << lookBits]int32
	maxcode [18]int32 // largest code of each length, -1 if none
	valptr  [17]int32 // index in vals of the first code of each length
	mincode [17]int32
	vals    [256]byte
}

// build derives the table from the 16 code-length counts and the values.
// As libjpeg does, it rejects code sets that overflow their length and,
// for DC tables, values over 15.
func (t *huffTable) build(counts *[16]byte, vals []byte, dc bool) error {
	*t = huffTable{}
	copy(t.vals[:], vals)
	var sizes [257]byte
	n := 0
	for l := 1; l <= 16; l++ {
		for i := 0; i < int(counts[l-1]); i++ {
			sizes[n] = byte(l)
			n++
		}
	}
	var codes [256]int32
	code, si := int32(0), byte(1)
	for k := 0; k < n; {
		for k < n && sizes[k] == si {
			codes[k] = code
			code++
			k++
		}
		if code >= 1<<si {
			return FormatError("bad Huffman table")
		}
		code <<= 1
		si++
	}
	k := int32(0)
	for l := 1; l <= 16; l++ {
		c := int32(counts[l-1])
		if c == 0 {
			t.maxcode[l] = -1
			continue
		}
		t.valptr[l] = k
		t.mincode[l] = codes[k]
		k += c
		t.maxcode[l] = codes[k-1]
	}
	t.maxcode[17] = 0x7FFFFFFF
	for i := 0; i < n; i++ {
		l := int(sizes[i])
		if l > lookBits {
			break
		}
		base := int(codes[i]) << (lookBits - l)
		for j := 0; j < 1<<(lookBits-l); j++ {
			t.lookup[base+j] = uint16(l)<<8 | uint16(vals[i])
		}
	}
	if !dc {
		for i := 0; i < n && int(sizes[i]) <= lookBits; i++ {
			l, rs := int(sizes[i]), vals[i]
			sz := int(rs & 15)
			if sz == 0 || l+sz > lookBits {
				continue
			}
			base := int(codes[i]) << (lookBits - l)
			for j := 0; j < 1<<(lookBits-l); j++ {
				v := int32(j>>(lookBits-l-sz)) & (1<<sz - 1)
				if v < 1<<(sz-1) {
					v += -1<<sz + 1
				}
				t.fastAC[base+j] = v<<16 | int32(rs>>4)<<8 | int32(l+sz)
			}
		}
	}
	if dc {
		for _, v := range vals {
			if v > 15 {
				return FormatError("bad DC Huffman value")
			}
		}
	}
	t.defined = true
	return nil
}

// bitReader reads entropy-coded data (T.81 F.2.2.5): it removes stuffed
// zero bytes after 0xFF and, when it meets a marker, supplies zero bits as
// libjpeg's fill_bit_buffer (jdhuff.c) does. Running out of input is an
// error (truncated file) once a padded bit is actually consumed.
type bitReader struct {
	data   []byte
	pos    int
	acc    uint64 // the low n bits are unread
	n      uint
	pad    uint // how many of the low bits of acc are padding
	marker bool // stopped at a marker (pos is at its 0xFF)
	eof    bool // stopped at the end of the input
}

// fill tops the accumulator up to more than 56 bits.
func (b *bitReader) fill() {
	// Fast path: the next 8 bytes hold no 0xFF (no stuffing, no marker);
	// take as many whole bytes as fit.
	if b.pos+8 <= len(b.data) && !b.marker {
		w := binary.BigEndian.Uint64(b.data[b.pos:])
		if v := ^w; (v-0x0101010101010101)&^v&0x8080808080808080 == 0 {
			k := (64 - b.n) >> 3
			b.acc = b.acc<<(8*k) | w>>(64-8*k)
			b.n += 8 * k
			b.pos += int(k)
			return
		}
	}
	for b.n <= 56 {
		if !b.marker && !b.eof {
			if b.pos < len(b.data) {
				c := b.data[b.pos]
				if c != 0xFF {
					b.pos++
					b.acc = b.acc<<8 | uint64(c)
					b.n += 8
					continue
				}
				p := b.pos + 1
				for p < len(b.data) && b.data[p] == 0xFF {
					p++
				}
				if p < len(b.data) && b.data[p] == 0 {
					b.pos = p + 1
					b.acc = b.acc<<8 | 0xFF
					b.n += 8
					continue
				}
				if p < len(b.data) {
					b.marker = true
				} else {
					b.eof = true
				}
			} else {
				b.eof = true
			}
		}
		b.acc <<= 8
		b.n += 8
		b.pad += 8
	}
}

// overrun reports whether a padding bit past the end of input was used.
func (b *bitReader) overrun() bool { return b.eof && b.n < b.pad }

// reset discards buffered bits, as at a restart marker.
func (b *bitReader) reset() {
	b.acc, b.n, b.pad, b.marker = 0, 0, 0, false
}

// decode reads one Huffman-coded value (T.81 F.2.2.3 DECODE).
func (b *bitReader) decode(t *huffTable) (byte, error) {
	if b.n < 16 {
		b.fill()
	}
	if v := t.lookup[(b.acc>>(b.n-lookBits))&(1<<lookBits-1)]; v != 0 {
		b.n -= uint(v >> 8)
		return byte(v), nil
	}
	for l := lookBits + 1; l <= 16; l++ {
		code := int32((b.acc >> (b.n - uint(l))) & (1<<uint(l) - 1))
		if code <= t.maxcode[l] {
			b.n -= uint(l)
			return t.vals[t.valptr[l]+code-t.mincode[l]], nil
		}
	}
	return 0, FormatError("bad Huffman code")
}

// bits reads s raw bits (s <= 16) as an unsigned value.
func (b *bitReader) bits(s uint) int32 {
	if b.n < s {
		b.fill()
	}
	b.n -= s
	return int32((b.acc >> b.n) & (1<<s - 1))
}

// receiveExtend reads s bits and sign-extends them (T.81 F.2.2.1 EXTEND).
func (b *bitReader) receiveExtend(s uint) int32 {
	if s == 0 {
		return 0
	}
	v := b.bits(s)
	if v < 1<<(s-1) {
		v += -1<<s + 1
	}
	return v
}
