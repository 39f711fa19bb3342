package imageproc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/gif"
	"image/png"
	"io"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"

	"github.com/alexnet-go/alexnet/imageproc/jpeg"
)

// codec is one format's decoder and header reader, on the whole file.
type codec struct {
	decode func([]byte) (image.Image, error)
	config func([]byte) (image.Config, error)
}

// codecs is the format dispatch of Decode and DecodeConfig.
var codecs = map[Format]codec{
	JPEG: {onBytes(jpeg.DecodeRGB), onBytes(jpeg.DecodeConfig)},
	PNG:  {onBytes(png.Decode), onBytes(png.DecodeConfig)},
	GIF:  {onBytes(gif.Decode), onBytes(gif.DecodeConfig)},
	BMP:  {onBytes(bmp.Decode), onBytes(bmp.DecodeConfig)},
	WebP: {onBytes(webp.Decode), onBytes(webp.DecodeConfig)},
	TIFF: {decodeTIFF, tiffConfig},
}

// onBytes adapts a reader-based decoder to the whole file in memory.
func onBytes[T any](f func(io.Reader) (T, error)) func([]byte) (T, error) {
	return func(b []byte) (T, error) { return f(bytes.NewReader(b)) }
}

// decodeTIFF is tiff.Decode, with CMYK files (which x/image/tiff refuses)
// rewritten as RGBA and read back as the *image.CMYK they hold.
func decodeTIFF(data []byte) (image.Image, error) {
	b, ok := tiffCMYKAsRGBA(data)
	if !ok {
		return tiff.Decode(bytes.NewReader(data))
	}
	m, err := tiff.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	if c, ok := asCMYK(m); ok {
		return c, nil
	}
	return nil, errors.New("CMYK TIFF decoded to an unexpected layout")
}

// tiffConfig reads ImageWidth (tag 256) and ImageLength (tag 257) from the
// first IFD of a TIFF (TIFF 6.0, section 2: the header, then 12-byte IFD
// entries). golang.org/x/image/tiff's DecodeConfig refuses CMYK files,
// which Decode reads, so the size is read here for every TIFF.
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

// Config is what an image's header says before any pixel is decoded.
type Config struct {
	Format        Format
	Width, Height int
}

// Pixels is Width*Height, in 64 bits: what a pixel limit compares.
func (c Config) Pixels() int64 { return int64(c.Width) * int64(c.Height) }

// DecodeConfig sniffs the format of an encoded image (as Decode does) and
// reads its width and height from the header alone, allocating no pixel
// memory: the JPEG frame header (T.81 B.2.2), PNG's IHDR, GIF's logical
// screen descriptor, the BMP info header, the WebP VP8/VP8L/VP8X header,
// the first TIFF IFD. A server checks Pixels against its limit before
// decoding. Errors are Decode's (a *DecodeError for a header that cannot
// be read), in a *FileError naming the input as name unless name is "".
func DecodeConfig(data []byte, name string) (Config, error) {
	f, err := sniff(data)
	if err != nil {
		return Config{}, WithName(err, name)
	}
	c, err := guarded(f, func() (image.Config, error) { return codecs[f].config(data) })
	if err != nil {
		return Config{}, WithName(err, name)
	}
	return Config{Format: f, Width: c.Width, Height: c.Height}, nil
}
