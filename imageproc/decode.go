package imageproc

import (
	"bytes"
	"image"
	"io"
	"os"

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

// DecodeBytes is Decode on an encoded image held in memory. Errors are
// Decode's in a *FileError naming the input as name (unwrapped when name
// is "").
func DecodeBytes(data []byte, name string) (*RGB, error) {
	m, err := decodeBytes(data)
	if err != nil {
		return nil, WithName(err, name)
	}
	return m, nil
}

// DecodeFile is Decode on the named file; errors name it (a *FileError,
// or the *fs.PathError of reading it).
func DecodeFile(path string) (*RGB, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err // *fs.PathError names the file
	}
	return DecodeBytes(data, path)
}

// sniff returns data's format, or the *EmptyFileError or
// *UnknownFormatError of content that has none.
func sniff(data []byte) (Format, error) {
	if len(data) == 0 {
		return "", &EmptyFileError{}
	}
	f := Sniff(data)
	if f == "" {
		return "", &UnknownFormatError{Head: bytes.Clone(data[:min(len(data), 12)])}
	}
	return f, nil
}

// guarded runs a decoder (or header reader) of format f, wrapping its
// error in a *DecodeError and turning a panic on hostile input into one:
// third-party decoders must not take the process down.
func guarded[T any](f Format, fn func() (T, error)) (v T, err error) {
	defer func() {
		if recover() != nil {
			var zero T
			v, err = zero, &DecodeError{Format: string(f), Err: errDecoderPanic}
		}
	}()
	if v, err = fn(); err != nil {
		return v, &DecodeError{Format: string(f), Err: err}
	}
	return v, nil
}

func decodeBytes(data []byte) (*RGB, error) {
	f, err := sniff(data)
	if err != nil {
		return nil, err
	}
	return guarded(f, func() (*RGB, error) {
		img, err := codecs[f].decode(data)
		if err != nil {
			return nil, err
		}
		return toRGB(f, img, data), nil
	})
}

// toRGB is FromImage with the conversions of formats whose decoded layout
// alone does not say what PIL does: packed JPEG pixels are adopted, GIF
// frames go on the logical screen, lossy WebP uses libwebp's YUV rules,
// and 16-bit grayscale PNG clips.
func toRGB(f Format, img image.Image, data []byte) *RGB {
	switch f {
	case JPEG:
		// DecodeRGB writes 3-component JPEGs packed: adopt the pixels.
		if m, ok := img.(*jpeg.RGB); ok && m.Stride == 3*m.Rect.Dx() && len(m.Pix) == m.Stride*m.Rect.Dy() {
			return &RGB{W: m.Rect.Dx(), H: m.Rect.Dy(), Pix: m.Pix}
		}
	case GIF:
		if fr, ok := scanGIF(data); ok {
			if p, isP := img.(*image.Paletted); isP {
				return gifToRGB(p, fr)
			}
		}
	case WebP:
		if m := webpPlanes(img); m != nil {
			return webpToRGB(m)
		}
	case PNG:
		// IHDR is the first chunk: colour type at byte 25. Colour type 0
		// (grayscale) at 16 bits with tRNS decodes to NRGBA64 but PIL
		// opens it as mode "I", which clips.
		return fromImage(img, len(data) > 25 && data[25] == 0)
	}
	return fromImage(img, false)
}

// webpPlanes returns the 4:2:0 planes at the origin of a lossy WebP
// image, or nil for any other layout.
func webpPlanes(img image.Image) *image.YCbCr {
	m, ok := img.(*image.YCbCr)
	if a, isA := img.(*image.NYCbCrA); isA {
		m, ok = &a.YCbCr, true
	}
	if !ok || m.SubsampleRatio != image.YCbCrSubsampleRatio420 || m.Rect.Min != (image.Point{}) {
		return nil
	}
	return m
}
