// Package npy reads and writes NumPy .npy files (format versions 1.0-3.0)
// holding little-endian float32 ('<f4') or uint8 ('|u1') C-order arrays.
//
// Spec: numpy/lib/format.py ("NPY format"): magic "\x93NUMPY", major and
// minor version bytes, a little-endian header length (uint16 in 1.0,
// uint32 in 2.0+), an ASCII Python dict literal padded with spaces to a
// multiple of 64 bytes and ending in '\n', then the raw data.
package npy

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// Array is the content of a .npy file. Exactly one of F32 and U8 is set.
type Array struct {
	Shape []int
	F32   []float32
	U8    []uint8
}

// FormatError reports a malformed or unsupported .npy file.
type FormatError string

func (e FormatError) Error() string { return "npy: " + string(e) }

var (
	descrRe = regexp.MustCompile(`'descr':\s*'([^']*)'`)
	orderRe = regexp.MustCompile(`'fortran_order':\s*(True|False)`)
	shapeRe = regexp.MustCompile(`'shape':\s*\(([^)]*)\)`)
)

// Read parses a .npy stream.
func Read(r io.Reader) (*Array, error) {
	br := bufio.NewReader(r)
	var pre [8]byte
	if _, err := io.ReadFull(br, pre[:]); err != nil {
		return nil, FormatError("short preamble")
	}
	if string(pre[:6]) != "\x93NUMPY" {
		return nil, FormatError("bad magic")
	}
	var hlen int
	switch pre[6] {
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(br, b[:]); err != nil {
			return nil, FormatError("short header length")
		}
		hlen = int(binary.LittleEndian.Uint16(b[:]))
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(br, b[:]); err != nil {
			return nil, FormatError("short header length")
		}
		hlen = int(binary.LittleEndian.Uint32(b[:]))
	default:
		return nil, FormatError(fmt.Sprintf("unsupported version %d.%d", pre[6], pre[7]))
	}
	if hlen > 1<<20 {
		return nil, FormatError("header too long")
	}
	hdr := make([]byte, hlen)
	if _, err := io.ReadFull(br, hdr); err != nil {
		return nil, FormatError("short header")
	}
	h := string(hdr)
	d := descrRe.FindStringSubmatch(h)
	o := orderRe.FindStringSubmatch(h)
	s := shapeRe.FindStringSubmatch(h)
	if d == nil || o == nil || s == nil {
		return nil, FormatError("header is not a descr/fortran_order/shape dict: " + strings.TrimSpace(h))
	}
	if o[1] == "True" {
		return nil, FormatError("fortran_order arrays are not supported")
	}
	a := &Array{}
	n := 1
	for _, f := range strings.Split(s[1], ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		v, err := strconv.Atoi(f)
		if err != nil || v < 0 {
			return nil, FormatError("bad shape " + s[1])
		}
		a.Shape = append(a.Shape, v)
		n *= v
		if n > 1<<31 {
			return nil, FormatError("array too large")
		}
	}
	switch d[1] {
	case "<f4":
		buf := make([]byte, 4*n)
		if _, err := io.ReadFull(br, buf); err != nil {
			return nil, FormatError("short data")
		}
		a.F32 = make([]float32, n)
		for i := range a.F32 {
			a.F32[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:]))
		}
	case "|u1", "<u1":
		a.U8 = make([]uint8, n)
		if _, err := io.ReadFull(br, a.U8); err != nil {
			return nil, FormatError("short data")
		}
	default:
		return nil, FormatError("unsupported dtype " + d[1])
	}
	return a, nil
}

// ReadFile reads the .npy file at path.
func ReadFile(path string) (*Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	a, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

func header(descr string, shape []int) []byte {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = strconv.Itoa(d)
	}
	st := strings.Join(dims, ", ")
	if len(shape) == 1 {
		st += ","
	}
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, st)
	total := 10 + len(h) + 1
	pad := (64 - total%64) % 64
	h += strings.Repeat(" ", pad) + "\n"
	out := []byte("\x93NUMPY\x01\x00")
	out = binary.LittleEndian.AppendUint16(out, uint16(len(h)))
	return append(out, h...)
}

// WriteF32 writes a float32 array of the given shape in format 1.0.
func WriteF32(w io.Writer, shape []int, data []float32) error {
	buf := header("<f4", shape)
	for _, v := range data {
		buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
	}
	_, err := w.Write(buf)
	return err
}

// WriteU8 writes a uint8 array of the given shape in format 1.0.
func WriteU8(w io.Writer, shape []int, data []uint8) error {
	if _, err := w.Write(header("|u1", shape)); err != nil {
		return err
	}
	_, err := w.Write(data)
	return err
}
