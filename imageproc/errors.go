package imageproc

import (
	"errors"
	"fmt"
)

// FileError names the input an error is about: DecodeFile, DecodeBytes
// and DecodeConfig wrap their errors in one, and WithName does the same
// for the steps after decoding. Err is the cause: an *EmptyFileError, an
// *UnknownFormatError, a *DecodeError, ErrNoPixels, or any other error.
// Test for a cause with errors.As or errors.Is; read the name from Name.
type FileError struct {
	Name string
	Err  error
}

// Error is "imageproc: NAME: cause" for causes of this package, else
// "NAME: cause".
func (e *FileError) Error() string {
	if c, ok := e.Err.(cause); ok {
		return "imageproc: " + e.Name + ": " + c.detail()
	}
	return e.Name + ": " + e.Err.Error()
}

func (e *FileError) Unwrap() error { return e.Err }

// WithName returns err wrapped in a *FileError naming name: the one way
// this package's errors carry the name of their input. A nil err, an
// empty name, or an err that already names name is returned as it is.
func WithName(err error, name string) error {
	var fe *FileError
	if err == nil || name == "" || errors.As(err, &fe) && fe.Name == name {
		return err
	}
	return &FileError{Name: name, Err: err}
}

// cause is an error of this package: its message is "imageproc: " +
// detail(), and a *FileError puts the name in between.
type cause interface {
	error
	detail() string
}

// UnknownFormatError reports content that is not any supported image
// format (JPEG, PNG, GIF, BMP, WebP, TIFF), whatever the file's name says.
type UnknownFormatError struct {
	Head []byte // up to the first 12 bytes of the content
}

func (e *UnknownFormatError) Error() string { return "imageproc: " + e.detail() }

func (e *UnknownFormatError) detail() string {
	return fmt.Sprintf("unknown image format (content starts % x)", e.Head)
}

// EmptyFileError reports an input with no bytes at all.
type EmptyFileError struct{}

func (e *EmptyFileError) Error() string { return "imageproc: " + e.detail() }

func (e *EmptyFileError) detail() string { return "empty file" }

// DecodeError reports a file of a recognised format that failed to decode
// (truncated, corrupt, or a variant the decoder does not support). Err is
// the decoder's error.
type DecodeError struct {
	Format string // "jpeg", "png", "gif", "bmp", "webp", "tiff"; "" for read errors
	Err    error
}

func (e *DecodeError) Error() string { return "imageproc: " + e.detail() }

func (e *DecodeError) detail() string {
	if e.Format == "" {
		return e.Err.Error()
	}
	return fmt.Sprintf("decoding %s: %v", e.Format, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// ErrNoPixels reports an image without pixels (0 wide or high, or nil)
// given to a step that needs some: Preprocess, PreprocessInto, TenCrop.
var ErrNoPixels error = simpleError("image has no pixels")

// errDecoderPanic stands for a panic in a third-party decoder on
// malformed input.
var errDecoderPanic = errors.New("decoder panic on malformed input")

// simpleError is a cause that is a fixed message.
type simpleError string

func (e simpleError) Error() string  { return "imageproc: " + string(e) }
func (e simpleError) detail() string { return string(e) }

// SizeError reports an *RGB whose Pix length does not match 3*W*H passed
// to a step that returns an error.
type SizeError struct {
	Op   string
	W, H int
	Len  int
}

func (e *SizeError) Error() string {
	return fmt.Sprintf("imageproc.%s: image %dx%d with %d bytes of pixels (want %d)", e.Op, e.W, e.H, e.Len, 3*e.W*e.H)
}

// OptionsError reports Options a step cannot run with: a negative size,
// or a ten-crop that does not fit the resized image.
type OptionsError struct {
	Msg string
}

func (e *OptionsError) Error() string  { return "imageproc: " + e.Msg }
func (e *OptionsError) detail() string { return e.Msg }

// checkImage returns the error of op for an image it cannot process:
// ErrNoPixels for nil or 0 pixels, a *SizeError for a malformed one.
func checkImage(op string, m *RGB) error {
	switch {
	case m == nil:
		return ErrNoPixels
	case !m.valid():
		return &SizeError{Op: op, W: m.W, H: m.H, Len: len(m.Pix)}
	case m.W == 0 || m.H == 0:
		return ErrNoPixels
	}
	return nil
}
