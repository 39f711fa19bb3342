package serve

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/gif"
	"image/png"

	"golang.org/x/image/bmp"
	"golang.org/x/image/webp"

	"github.com/alexnet-go/alexnet/imageproc"
	"github.com/alexnet-go/alexnet/imageproc/jpeg"
)

// header is what an image's header says before any pixel is decoded.
type header struct {
	Format        imageproc.Format
	Width, Height int
}

// readHeader sniffs the format of an encoded image (imageproc.Sniff, as
// imageproc.Decode does) and reads its width and height from the header
// alone: the JPEG frame header (T.81 B.2.2), PNG's IHDR, GIF's logical
// screen descriptor, the BMP info header, the WebP VP8/VP8L/VP8X header,
// the first TIFF IFD (tiffConfig). Errors are imageproc's: *imageproc.EmptyFileError,
// *imageproc.UnknownFormatError, or *imageproc.DecodeError for a header
// that cannot be read.
func readHeader(data []byte) (header, error) {
	if len(data) == 0 {
		return header{}, &imageproc.EmptyFileError{}
	}
	f := imageproc.Sniff(data)
	var cfg func(r *bytes.Reader) (image.Config, error)
	switch f {
	case imageproc.JPEG:
		cfg = func(r *bytes.Reader) (image.Config, error) { return jpeg.DecodeConfig(r) }
	case imageproc.PNG:
		cfg = func(r *bytes.Reader) (image.Config, error) { return png.DecodeConfig(r) }
	case imageproc.GIF:
		cfg = func(r *bytes.Reader) (image.Config, error) { return gif.DecodeConfig(r) }
	case imageproc.BMP:
		cfg = func(r *bytes.Reader) (image.Config, error) { return bmp.DecodeConfig(r) }
	case imageproc.WebP:
		cfg = func(r *bytes.Reader) (image.Config, error) { return webp.DecodeConfig(r) }
	case imageproc.TIFF:
		cfg = func(r *bytes.Reader) (image.Config, error) { return tiffConfig(data) }
	default:
		return header{}, &imageproc.UnknownFormatError{Head: bytes.Clone(data[:min(len(data), 12)])}
	}
	c, err := safeConfig(cfg, bytes.NewReader(data))
	if err != nil {
		return header{}, &imageproc.DecodeError{Format: string(f), Err: err}
	}
	return header{Format: f, Width: c.Width, Height: c.Height}, nil
}

// safeConfig runs a third-party header reader, turning a panic on hostile
// input into an error.
func safeConfig(cfg func(*bytes.Reader) (image.Config, error), r *bytes.Reader) (c image.Config, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = errPanic
		}
	}()
	return cfg(r)
}

// checkPixels reads the header of data and returns a *PixelLimitError when
// width*height exceeds limit, before any pixel memory is allocated.
func checkPixels(data []byte, limit int64) (header, error) {
	h, err := readHeader(data)
	if err != nil {
		return h, err
	}
	if h.Width < 0 || h.Height < 0 || int64(h.Width)*int64(h.Height) > limit {
		return h, &PixelLimitError{Format: h.Format, Width: h.Width, Height: h.Height, Limit: limit}
	}
	return h, nil
}

// tiffConfig reads ImageWidth (tag 256) and ImageLength (tag 257) from the
// first IFD of a TIFF (TIFF 6.0, section 2: the header, then 12-byte IFD
// entries). golang.org/x/image/tiff's DecodeConfig refuses CMYK files,
// which imageproc decodes, so the size is read here for every TIFF.
func tiffConfig(d []byte) (image.Config, error) {
	if len(d) < 8 {
		return image.Config{}, errTIFFHeader
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if d[0] == 'M' {
		bo = binary.BigEndian
	}
	off := int64(bo.Uint32(d[4:]))
	if off+2 > int64(len(d)) {
		return image.Config{}, errTIFFHeader
	}
	n := int64(bo.Uint16(d[off:]))
	w, h := -1, -1
	for i := range n {
		e := off + 2 + 12*i
		if e+12 > int64(len(d)) {
			return image.Config{}, errTIFFHeader
		}
		tag, typ := bo.Uint16(d[e:]), bo.Uint16(d[e+2:])
		var v int
		switch typ {
		case 3: // SHORT, left-justified in the value field
			v = int(bo.Uint16(d[e+8:]))
		case 4: // LONG
			v = int(bo.Uint32(d[e+8:]))
		default:
			continue
		}
		switch tag {
		case 256:
			w = v
		case 257:
			h = v
		}
	}
	if w < 0 || h < 0 {
		return image.Config{}, errTIFFHeader
	}
	return image.Config{Width: w, Height: h}, nil
}

var errTIFFHeader = errors.New("tiff: no image width and length in the first IFD")
