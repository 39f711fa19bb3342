package imageproc

import (
	"bytes"
	"errors"
	"image"
	"image/gif"
	"image/png"
	"io"
	"os"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"

	"github.com/alexnet-go/alexnet/imageproc/jpeg"
)

// Format names a supported file format, as sniffed from content.
type Format string

// The formats Decode recognises.
const (
	JPEG Format = "jpeg"
	PNG  Format = "png"
	GIF  Format = "gif"
	BMP  Format = "bmp"
	WebP Format = "webp"
	TIFF Format = "tiff"
)

// Sniff returns the format of an image whose content starts with head
// (12 bytes suffice), or "" when it is none of the supported ones. File
// names and extensions play no part, as in PIL's Image.open.
func Sniff(head []byte) Format {
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return JPEG
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return PNG
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return GIF
	case bytes.HasPrefix(head, []byte("BM")):
		return BMP
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return WebP
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")):
		return TIFF
	}
	return ""
}

// Decode reads a whole image file and returns its pixels as
// Image.open(f).convert("RGB") does in Pillow 9.4 (see FromImage for the
// per-mode rules): JPEG through package imageproc/jpeg; PNG, GIF (first
// frame, on the logical screen), BMP, WebP and TIFF through the standard
// library and golang.org/x/image. EXIF orientation is ignored, as
// torchvision ignores it.
//
// Errors are an *EmptyFileError, an *UnknownFormatError or a *DecodeError.
func Decode(r io.Reader) (*RGB, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, &DecodeError{Err: err}
	}
	return decodeBytes(data)
}

// DecodeFile is Decode on the named file; errors name it.
func DecodeFile(path string) (*RGB, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err // *fs.PathError names the file
	}
	m, err := decodeBytes(data)
	if err != nil {
		setFile(err, path)
		return nil, err
	}
	return m, nil
}

func setFile(err error, path string) {
	var (
		u *UnknownFormatError
		e *EmptyFileError
		d *DecodeError
	)
	switch {
	case errors.As(err, &u):
		u.File = path
	case errors.As(err, &e):
		e.File = path
	case errors.As(err, &d):
		d.File = path
	}
}

func decodeBytes(data []byte) (m *RGB, err error) {
	if len(data) == 0 {
		return nil, &EmptyFileError{}
	}
	f := Sniff(data)
	if f == "" {
		return nil, &UnknownFormatError{Head: append([]byte(nil), data[:min(len(data), 12)]...)}
	}
	defer func() {
		// Third-party decoders must not take the process down on hostile input.
		if r := recover(); r != nil {
			m, err = nil, &DecodeError{Format: string(f), Err: errors.New("decoder panic on malformed input")}
		}
	}()
	img, err := decodeFormat(f, data)
	if err != nil {
		return nil, &DecodeError{Format: string(f), Err: err}
	}
	switch f {
	case JPEG:
		// DecodeRGB writes 3-component JPEGs packed: adopt the pixels.
		if m, ok := img.(*jpeg.RGB); ok && m.Stride == 3*m.Rect.Dx() && len(m.Pix) == m.Stride*m.Rect.Dy() {
			return &RGB{W: m.Rect.Dx(), H: m.Rect.Dy(), Pix: m.Pix}, nil
		}
	case GIF:
		if fr, ok := scanGIF(data); ok {
			if p, isP := img.(*image.Paletted); isP {
				return gifToRGB(p, fr), nil
			}
		}
	case WebP:
		switch m := img.(type) {
		case *image.YCbCr:
			if m.SubsampleRatio == image.YCbCrSubsampleRatio420 && m.Rect.Min == (image.Point{}) {
				return webpToRGB(m), nil
			}
		case *image.NYCbCrA:
			if m.SubsampleRatio == image.YCbCrSubsampleRatio420 && m.Rect.Min == (image.Point{}) {
				return webpToRGB(&m.YCbCr), nil
			}
		}
	case PNG:
		// IHDR is the first chunk: colour type at byte 25. Colour type 0
		// (grayscale) at 16 bits with tRNS decodes to NRGBA64 but PIL
		// opens it as mode "I", which clips.
		return fromImage(img, len(data) > 25 && data[25] == 0), nil
	}
	return fromImage(img, false), nil
}

func decodeFormat(f Format, data []byte) (image.Image, error) {
	r := bytes.NewReader(data)
	switch f {
	case JPEG:
		return jpeg.DecodeRGB(r)
	case PNG:
		return png.Decode(r)
	case GIF:
		return gif.Decode(r)
	case BMP:
		return bmp.Decode(r)
	case WebP:
		return webp.Decode(r)
	default:
		if b, ok := tiffCMYKAsRGBA(data); ok {
			m, err := tiff.Decode(bytes.NewReader(b))
			if err != nil {
				return nil, err
			}
			if c, ok := asCMYK(m); ok {
				return c, nil
			}
			return nil, errors.New("CMYK TIFF decoded to an unexpected layout")
		}
		return tiff.Decode(r)
	}
}
