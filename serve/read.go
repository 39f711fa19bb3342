package serve

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
)

// imageField is the multipart form field that carries an image.
const imageField = "image"

// bodyReader returns r's body limited to the server's MaxBodyBytes (413
// beyond it, before any byte is read when Content-Length already says so).
func (s *Server) bodyReader(w http.ResponseWriter, r *http.Request) (io.Reader, error) {
	if r.ContentLength > s.opt.MaxBodyBytes {
		return nil, &http.MaxBytesError{Limit: s.opt.MaxBodyBytes}
	}
	return http.MaxBytesReader(w, r.Body, s.opt.MaxBodyBytes), nil
}

// mediaType is r's Content-Type without parameters ("" when absent), and
// its parameters.
func mediaType(r *http.Request) (string, map[string]string, error) {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return "", nil, nil
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return "", nil, &Error{Status: http.StatusBadRequest, Msg: fmt.Sprintf("bad Content-Type %q", ct), Err: err}
	}
	return mt, params, nil
}

// notImage is the 415 for a request whose Content-Type is not an image.
func notImage(mt string, want string) error {
	return &Error{Status: http.StatusUnsupportedMediaType,
		Msg: fmt.Sprintf("content type %q is not an image; send %s", mt, want)}
}

// readImage returns the image of a single-image request: the body when the
// Content-Type is image/* or application/octet-stream (or absent: the
// content decides), or the first multipart field named "image", with its
// file name.
func (s *Server) readImage(w http.ResponseWriter, r *http.Request) (data []byte, name string, err error) {
	mt, params, err := mediaType(r)
	if err != nil {
		return nil, "", err
	}
	body, err := s.bodyReader(w, r)
	if err != nil {
		return nil, "", err
	}
	switch {
	case mt == "multipart/form-data":
		mr, err := multipartReader(body, params)
		if err != nil {
			return nil, "", err
		}
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return nil, "", &Error{Status: http.StatusBadRequest, Msg: `the form has no field named "image"`}
			}
			if err != nil {
				return nil, "", readError(err)
			}
			if p.FormName() == imageField {
				data, err := io.ReadAll(p)
				if err != nil {
					return nil, "", readError(err)
				}
				return data, p.FileName(), nil
			}
		}
	case strings.HasPrefix(mt, "image/"), mt == "application/octet-stream", mt == "":
		data, err := readAllSized(body, r.ContentLength)
		if err != nil {
			return nil, "", readError(err)
		}
		return data, "", nil
	}
	return nil, "", notImage(mt, `the image with an image/* content type, or multipart/form-data with a field "image"`)
}

// readAllSized reads a body of n bytes (its Content-Length, when
// positive; bodyReader has already refused one over the limit, and
// net/http ends the body there) into one buffer of that size, rather than
// growing and copying one as io.ReadAll does; else it is io.ReadAll.
func readAllSized(r io.Reader, n int64) ([]byte, error) {
	if n <= 0 {
		return io.ReadAll(r)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	return b, nil
}

// multipartReader reads a multipart/form-data body with the boundary of
// params.
func multipartReader(body io.Reader, params map[string]string) (*multipart.Reader, error) {
	b := params["boundary"]
	if b == "" {
		return nil, &Error{Status: http.StatusBadRequest, Msg: "multipart/form-data without a boundary"}
	}
	return multipart.NewReader(body, b), nil
}

// readError classifies an error met reading a body: over the limit (413,
// kept as *http.MaxBytesError), or a malformed or interrupted body (400).
func readError(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return mb
	}
	return &Error{Status: http.StatusBadRequest, Msg: fmt.Sprintf("the request body could not be read: %v", err), Err: err}
}
