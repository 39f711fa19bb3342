package imageproc

import "fmt"

// UnknownFormatError reports content that is not any supported image
// format (JPEG, PNG, GIF, BMP, WebP, TIFF), whatever the file's name says.
type UnknownFormatError struct {
	File string // "" when decoding from a reader
	Head []byte // up to the first 12 bytes of the content
}

func (e *UnknownFormatError) Error() string {
	return fmt.Sprintf("imageproc: %sunknown image format (content starts % x)", prefix(e.File), e.Head)
}

// EmptyFileError reports an input with no bytes at all.
type EmptyFileError struct {
	File string
}

func (e *EmptyFileError) Error() string { return "imageproc: " + prefix(e.File) + "empty file" }

// DecodeError reports a file of a recognised format that failed to decode
// (truncated, corrupt, or a variant the decoder does not support). Err is
// the decoder's error.
type DecodeError struct {
	File   string
	Format string // "jpeg", "png", "gif", "bmp", "webp", "tiff"; "" for read errors
	Err    error
}

func (e *DecodeError) Error() string {
	if e.Format == "" {
		return fmt.Sprintf("imageproc: %s%v", prefix(e.File), e.Err)
	}
	return fmt.Sprintf("imageproc: %sdecoding %s: %v", prefix(e.File), e.Format, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

func prefix(file string) string {
	if file == "" {
		return ""
	}
	return file + ": "
}
