package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/alexnet-go/alexnet/imageproc"
)

// Error is an answer other than success: an HTTP status and a message in
// plain words, sent as {"error": Msg}. Err, when set, is the cause, for
// the logs.
type Error struct {
	Status int
	Msg    string
	Err    error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%d %s: %v", e.Status, e.Msg, e.Err)
	}
	return fmt.Sprintf("%d %s", e.Status, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// PixelLimitError reports an image whose header declares more pixels than
// the server accepts (a possible decompression bomb); no pixel was decoded.
type PixelLimitError struct {
	Format        imageproc.Format
	Width, Height int
	Limit         int64
}

func (e *PixelLimitError) Error() string {
	return fmt.Sprintf("the %s image is %dx%d pixels (%.1f megapixels); the limit is %.1f megapixels",
		e.Format, e.Width, e.Height, float64(e.Width)*float64(e.Height)/1e6, float64(e.Limit)/1e6)
}

// Errors of the queue in front of the model.
var (
	// ErrQueueFull: the server already holds as many images as it admits.
	ErrQueueFull = errors.New("serve: queue full")
	// ErrClosed: the batcher has stopped (the server is shutting down).
	ErrClosed = errors.New("serve: shutting down")
)

// asError turns any error met while answering into an *Error with the
// status that says what went wrong.
func asError(err error) *Error {
	var (
		e   *Error
		px  *PixelLimitError
		mb  *http.MaxBytesError
		uf  *imageproc.UnknownFormatError
		ef  *imageproc.EmptyFileError
		de  *imageproc.DecodeError
		msg string
	)
	switch {
	case errors.As(err, &e):
		return e
	case errors.As(err, &px):
		msg = px.Error()
		return &Error{Status: http.StatusUnprocessableEntity, Msg: msg, Err: err}
	case errors.As(err, &mb):
		return &Error{Status: http.StatusRequestEntityTooLarge, Err: err,
			Msg: fmt.Sprintf("the upload is larger than the limit of %s", byteSize(mb.Limit))}
	case errors.As(err, &uf):
		return &Error{Status: http.StatusUnsupportedMediaType, Err: err,
			Msg: "the upload is not an image this server reads (JPEG, PNG, GIF, BMP, WebP or TIFF)"}
	case errors.As(err, &ef):
		return &Error{Status: http.StatusBadRequest, Msg: "the upload is empty", Err: err}
	case errors.As(err, &de):
		return &Error{Status: http.StatusBadRequest, Err: err,
			Msg: fmt.Sprintf("the image could not be decoded: %v", de.Err)}
	case errors.Is(err, imageproc.ErrNoPixels):
		return &Error{Status: http.StatusBadRequest, Err: err, Msg: "the image could not be decoded: image has no pixels"}
	case errors.Is(err, ErrQueueFull):
		return &Error{Status: http.StatusServiceUnavailable, Msg: "the server is busy (its queue is full); try again shortly", Err: err}
	case errors.Is(err, ErrClosed):
		return &Error{Status: http.StatusServiceUnavailable, Msg: "the server is shutting down", Err: err}
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Status: http.StatusServiceUnavailable, Msg: "the request timed out waiting for the model; try again shortly", Err: err}
	case errors.Is(err, context.Canceled):
		// The client went away; nobody reads this answer.
		return &Error{Status: statusClientClosed, Msg: "the request was cancelled", Err: err}
	}
	return &Error{Status: http.StatusInternalServerError, Msg: "internal error", Err: err}
}

// statusClientClosed is what the logs and metrics record for a request
// whose client left before the answer (nginx's 499).
const statusClientClosed = 499

// errorBody is the JSON of an error answer.
type errorBody struct {
	Error string `json:"error"`
}

// writeError sends err as JSON with its status; 503s carry Retry-After.
func writeError(w http.ResponseWriter, err error) {
	e := asError(err)
	if rec, ok := w.(*recorder); ok {
		rec.err = e
	}
	if e.Status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	writeJSON(w, e.Status, errorBody{Error: e.Msg})
}

// writeJSON sends v as a JSON answer with the status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) // a write error means the client left
}

// methodNotAllowed answers 405 naming the allowed method.
func methodNotAllowed(w http.ResponseWriter, r *http.Request, allow string) {
	w.Header().Set("Allow", allow)
	writeJSON(w, http.StatusMethodNotAllowed, errorBody{
		Error: fmt.Sprintf("method %s is not allowed here; use %s", r.Method, allow)})
}

// byteSize formats n bytes for people: "32 MiB", "1.5 KiB", "100 bytes".
func byteSize(n int64) string {
	units := []string{"bytes", "KiB", "MiB", "GiB", "TiB"}
	v, u := float64(n), 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	if u == 0 {
		return fmt.Sprintf("%d bytes", n)
	}
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d %s", int64(v), units[u])
	}
	return fmt.Sprintf("%.1f %s", v, units[u])
}
