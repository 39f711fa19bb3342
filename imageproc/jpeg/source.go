package jpeg

import (
	"encoding/binary"
	"io"
)

// source is the byte input of a decoder. Decode reads the whole file into
// buf up front (r is nil); DecodeConfig reads r in chunks, on demand, so it
// stops soon after the frame header.
type source struct {
	buf []byte
	pos int
	r   io.Reader
	err error // first read error from r other than io.EOF
}

// fill makes at least n unread bytes available, reporting false when the
// input ends first.
func (s *source) fill(n int) bool {
	for len(s.buf)-s.pos < n {
		if s.r == nil || s.err != nil {
			return false
		}
		if s.pos > 0 && s.pos == len(s.buf) {
			s.buf, s.pos = s.buf[:0], 0
		}
		var chunk [4096]byte
		m, err := s.r.Read(chunk[:])
		s.buf = append(s.buf, chunk[:m]...)
		if err != nil {
			if err != io.EOF {
				s.err = err
			} else {
				s.r = nil
			}
		}
	}
	return true
}

// truncated returns the error for input that ended early: the reader's own
// error when there was one, otherwise errTruncated.
func (s *source) truncated() error {
	if s.err != nil {
		return s.err
	}
	return errTruncated
}

// readByte returns the next byte.
func (s *source) readByte() (byte, error) {
	if !s.fill(1) {
		return 0, s.truncated()
	}
	c := s.buf[s.pos]
	s.pos++
	return c, nil
}

// readN returns the next n bytes; the slice is valid until the next read.
func (s *source) readN(n int) ([]byte, error) {
	if !s.fill(n) {
		return nil, s.truncated()
	}
	b := s.buf[s.pos : s.pos+n]
	s.pos += n
	return b, nil
}

// segment reads a marker segment's 2-byte length (T.81 B.1.1.4) and returns
// its payload.
func (s *source) segment() ([]byte, error) {
	b, err := s.readN(2)
	if err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint16(b))
	if n < 2 {
		return nil, FormatError("bad marker segment length")
	}
	return s.readN(n - 2)
}

// nextMarker skips to the next marker and returns its code, the byte after
// 0xFF. Like libjpeg's next_marker (jdmarker.c) it steps over garbage
// bytes and 0xFF fill bytes.
func (s *source) nextMarker() (byte, error) {
	for {
		c, err := s.readByte()
		if err != nil {
			return 0, err
		}
		if c != 0xFF {
			continue
		}
		for c == 0xFF {
			if c, err = s.readByte(); err != nil {
				return 0, err
			}
		}
		if c != 0 {
			return c, nil
		}
	}
}
