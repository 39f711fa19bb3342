package serve

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"
)

// recorder remembers the status and size of an answer.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	err    error // the error answered, for the log line
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

type loggerKey struct{}

// logger returns the request's logger (with its request id).
func logger(ctx context.Context, fallback *slog.Logger) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok {
		return l
	}
	return fallback
}

// requestID returns the client's X-Request-Id when it is a sensible token
// (1 to 128 characters of letters, digits and ._:-), else a new random one.
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 128 && isToken(id) {
		return id
	}
	var b [8]byte
	rand.Read(b[:]) // crypto/rand.Read does not fail
	return hex.EncodeToString(b[:])
}

func isToken(s string) bool {
	for _, c := range []byte(s) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '.' || c == '_' || c == ':' || c == '-'
		if !ok {
			return false
		}
	}
	return true
}

// instrument wraps a handler named name (the metrics' handler label) with
// a request id (X-Request-Id, echoed back), a logger carrying it, panic
// recovery, the request metrics and one log line per request (at Debug for
// probes and /metrics, Warn for 5xx).
func (s *Server) instrument(name string, h http.HandlerFunc) http.Handler {
	quiet := name == "healthz" || name == "readyz" || name == "metrics" || name == "static"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := requestID(r)
		w.Header().Set("X-Request-Id", id)
		log := s.log.With("request_id", id)
		ctx := context.WithValue(r.Context(), loggerKey{}, log)
		rec := &recorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.Error("handler panic", "panic", p, "stack", string(debug.Stack()))
				if rec.status == 0 {
					writeJSON(rec, http.StatusInternalServerError, errorBody{Error: "internal error"})
				}
			}
			code := rec.status
			if code == 0 {
				code = http.StatusOK
			}
			d := time.Since(start)
			s.metrics.observeRequest(name, code, d)
			level := slog.LevelInfo
			switch {
			case code >= 500:
				level = slog.LevelWarn
			case quiet:
				level = slog.LevelDebug
			}
			attrs := []slog.Attr{slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", code), slog.Int64("bytes", rec.bytes),
				slog.Float64("ms", ms(d)), slog.String("remote", r.RemoteAddr)}
			if rec.err != nil {
				attrs = append(attrs, slog.String("err", rec.err.Error()))
			}
			log.LogAttrs(ctx, level, "request", attrs...)
		}()
		h(rec, r.WithContext(ctx))
	})
}
