package imageproc

import (
	"encoding/binary"
	"image"
	"sort"
)

// TIFF tags and values used to read CMYK files (TIFF 6.0, sections 2, 8
// and 16). golang.org/x/image/tiff has no CMYK model, so a CMYK file's
// first IFD is rewritten to describe four-sample RGB with an unassociated
// extra sample; that decoder then copies the C, M, Y, K bytes verbatim
// into an *image.NRGBA, which is reinterpreted as *image.CMYK.
const (
	tagPhotometric     = 262
	tagSamplesPerPixel = 277
	tagExtraSamples    = 338
	photometricRGB     = 2
	photometricCMYK    = 5 // "Separated"
	typeShort          = 3
)

// tiffCMYKAsRGBA returns a copy of a TIFF whose first IFD says
// PhotometricInterpretation = Separated with 4 samples, rewritten as
// RGB + ExtraSamples = 2 (a new IFD appended at the end; every other
// entry, and every offset it holds, is unchanged). ok is false for any
// other file.
func tiffCMYKAsRGBA(b []byte) (out []byte, ok bool) {
	if len(b) < 8 {
		return nil, false
	}
	var bo interface {
		binary.ByteOrder
		binary.AppendByteOrder
	} = binary.LittleEndian
	if b[0] == 'M' {
		bo = binary.BigEndian
	}
	off := int(bo.Uint32(b[4:]))
	if off < 8 || off+2 > len(b) {
		return nil, false
	}
	n := int(bo.Uint16(b[off:]))
	if off+2+12*n+4 > len(b) {
		return nil, false
	}
	type entry [12]byte
	entries := make([]entry, 0, n+1)
	photometric, samples := -1, 1
	for i := 0; i < n; i++ {
		var e entry
		copy(e[:], b[off+2+12*i:])
		tag := bo.Uint16(e[:])
		switch tag {
		case tagPhotometric:
			photometric = int(bo.Uint16(e[8:]))
			bo.PutUint16(e[8:], photometricRGB)
		case tagSamplesPerPixel:
			samples = int(bo.Uint16(e[8:]))
		case tagExtraSamples:
			continue // replaced below
		}
		entries = append(entries, e)
	}
	if photometric != photometricCMYK || samples != 4 {
		return nil, false
	}
	var extra entry
	bo.PutUint16(extra[0:], tagExtraSamples)
	bo.PutUint16(extra[2:], typeShort)
	bo.PutUint32(extra[4:], 1)
	bo.PutUint16(extra[8:], 2) // unassociated alpha: copied as is
	entries = append(entries, extra)
	sort.Slice(entries, func(i, j int) bool { return bo.Uint16(entries[i][:]) < bo.Uint16(entries[j][:]) })

	out = append(make([]byte, 0, len(b)+2+12*len(entries)+6), b...)
	if len(out)%2 == 1 {
		out = append(out, 0) // IFDs start on a word boundary
	}
	bo.PutUint32(out[4:], uint32(len(out)))
	out = bo.AppendUint16(out, uint16(len(entries)))
	for _, e := range entries {
		out = append(out, e[:]...)
	}
	out = bo.AppendUint32(out, 0) // no next IFD
	return out, true
}

// asCMYK reinterprets the four bytes per pixel of an NRGBA as C, M, Y, K.
func asCMYK(m image.Image) (*image.CMYK, bool) {
	n, ok := m.(*image.NRGBA)
	if !ok {
		return nil, false
	}
	return &image.CMYK{Pix: n.Pix, Stride: n.Stride, Rect: n.Rect}, true
}
