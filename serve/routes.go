package serve

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

// web holds the page: plain HTML, CSS and JavaScript, no build step.
//
//go:embed web
var web embed.FS

// routes builds the handler: every path answers JSON errors, 405 for a
// wrong method and 404 for an unknown path.
func (s *Server) routes() http.Handler {
	static, err := fs.Sub(web, "web")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	files := http.FileServerFS(static)
	mux := http.NewServeMux()
	mux.Handle("/v1/classify", s.instrument("classify", s.handleClassify))
	mux.Handle("/v1/classify/batch", s.instrument("batch", s.handleBatch))
	mux.Handle("/v1/explain", s.instrument("explain", s.handleExplain))
	mux.Handle("/v1/model", s.instrument("model", get(s.handleModel)))
	mux.Handle("/healthz", s.instrument("healthz", get(s.handleHealth)))
	mux.Handle("/readyz", s.instrument("readyz", get(s.handleReady)))
	mux.Handle("/metrics", s.instrument("metrics", get(s.metrics.handler().ServeHTTP)))
	mux.Handle("/static/", s.instrument("static", get(page(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") { // no directory listings
			notFound(w, r)
			return
		}
		http.StripPrefix("/static/", files).ServeHTTP(w, r)
	}))))
	mux.Handle("/{$}", s.instrument("page", get(page(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, static, "index.html")
	}))))
	mux.Handle("/", s.instrument("other", notFound))
	return mux
}

// notFound answers 404 in JSON.
func notFound(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotFound, errorBody{Error: "no such endpoint: " + r.URL.Path})
}

// page adds the headers of the web page's files: revalidate on each load,
// and a content security policy that allows only the server's own files
// and the images the page makes (data: and blob: URLs).
func page(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Security-Policy",
			"default-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h(w, r)
	}
}

// get allows GET and HEAD only, answering 405 otherwise.
func get(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			methodNotAllowed(w, r, "GET, HEAD")
			return
		}
		h(w, r)
	}
}

// handleHealth answers /healthz: the process is up.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handleReady answers /readyz: 200 once the model is warm, 503 before
// that and while shutting down.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	if ok, why := s.isReady(); !ok {
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Error: "not ready: " + why})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready", "model": s.opt.Model})
}

// ModelInfo is the answer of GET /v1/model: the model and the server's
// limits, for clients and the page.
type ModelInfo struct {
	Model        string  `json:"model"`
	Arch         string  `json:"arch"`
	Classes      int     `json:"classes"` // 0 until the model is warm
	InputSize    int     `json:"input_size"`
	ResizeSize   int     `json:"resize_size"`
	MaxBatch     int     `json:"max_batch"`
	MaxWaitMs    float64 `json:"max_wait_ms"`
	MaxBodyBytes int64   `json:"max_body_bytes"`
	MaxPixels    int64   `json:"max_pixels"`
	MaxImages    int     `json:"max_images"`
	Ready        bool    `json:"ready"`
}

func (s *Server) handleModel(w http.ResponseWriter, r *http.Request) {
	ready, _ := s.isReady()
	info := ModelInfo{Model: s.opt.Model, Arch: s.pred.Arch, InputSize: s.pred.Transform.CropSize,
		ResizeSize: s.pred.Transform.ResizeSize, MaxBatch: s.opt.MaxBatch, MaxWaitMs: ms(s.opt.MaxWait),
		MaxBodyBytes: s.opt.MaxBodyBytes, MaxPixels: s.opt.MaxPixels, MaxImages: s.opt.MaxImages, Ready: ready}
	info.Classes = s.numClasses()
	writeJSON(w, http.StatusOK, info)
}
