package weights

import (
	"fmt"
	"strconv"
)

// FormatError reports a malformed weights file.
type FormatError string

func (e FormatError) Error() string { return string(e) }

// UnsupportedError reports a well-formed file that uses a feature this
// package does not implement (a dtype, big-endian data, the tar format).
type UnsupportedError string

func (e UnsupportedError) Error() string { return "unsupported " + string(e) }

// Error adds the file and tensor names to an error from reading or
// writing weights: "weights foo.pth: tensor "x": storage too short".
// Err is a FormatError, an UnsupportedError, an error from package pickle
// (such as *pickle.GlobalError) or an I/O error.
type Error struct {
	File   string // may be empty when reading from an io.ReaderAt
	Tensor string // may be empty
	Err    error
}

func (e *Error) Error() string {
	s := "weights"
	if e.File != "" {
		s += " " + e.File
	}
	s += ": "
	if e.Tensor != "" {
		s += "tensor " + strconv.Quote(e.Tensor) + ": "
	}
	return s + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// tensorErr wraps err with a tensor name.
func tensorErr(name string, err error) error {
	return &Error{Tensor: name, Err: err}
}

// errorf returns an *Error around a FormatError.
func errorf(format string, args ...any) error {
	return &Error{Err: FormatError(fmt.Sprintf(format, args...))}
}

// withFile sets the file name on err, wrapping it in an *Error if needed.
func withFile(file string, err error) error {
	if err == nil {
		return nil
	}
	if e, ok := err.(*Error); ok {
		c := *e
		c.File = file
		return &c
	}
	return &Error{File: file, Err: err}
}
