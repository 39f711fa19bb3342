package serve

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/alexnet-go/alexnet/predict"
)

// ClassifyResponse is the answer of POST /v1/classify.
type ClassifyResponse struct {
	Top   []predict.Class `json:"top"`
	Model string          `json:"model"`
	Ms    float64         `json:"ms"`    // time in the server, from the request to the answer
	Batch int             `json:"batch"` // images in the forward pass this one shared
	Image ImageInfo       `json:"image"`
}

// ImageInfo describes the image a request sent, and what the model saw of
// it.
type ImageInfo struct {
	Format  string `json:"format"` // "jpeg", "png", ...
	Width   int    `json:"width"`
	Height  int    `json:"height"`
	CropBox [4]int `json:"crop_box"`       // the model's crop in the image's pixels: x0, y0, x1, y1
	Crop    string `json:"crop,omitempty"` // with ?crop=1: that crop after Resize and CenterCrop, as a PNG data: URL
}

// BatchResponse is the answer of POST /v1/classify/batch: one result per
// image, in the order sent.
type BatchResponse struct {
	Results []BatchResult `json:"results"`
	Model   string        `json:"model"`
	Ms      float64       `json:"ms"`
}

// BatchResult is one image's answer in a batch request: Top, or Error with
// the Status a single request would have had.
type BatchResult struct {
	Name   string          `json:"name,omitempty"` // the part's file name
	Status int             `json:"status"`
	Top    []predict.Class `json:"top,omitempty"`
	Batch  int             `json:"batch,omitempty"`
	Error  string          `json:"error,omitempty"`
}

// classified is one image's result inside the server.
type classified struct {
	top   []predict.Class
	info  BatchInfo
	image ImageInfo
}

// classify runs one encoded image through the pipeline: pixel limit,
// decoding on a worker, the batcher, then predict.TopK (the softmax and
// order of `alexnet classify`).
func (s *Server) classify(ctx context.Context, data []byte, name string, top int, crop bool) (*classified, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opt.RequestTimeout)
	defer cancel()
	p, err := s.prepare(ctx, data, name)
	if err != nil {
		return nil, err
	}
	logits, info, err := s.batcher.Submit(ctx, p.x)
	if err != nil {
		return nil, err // p.x may still be in a batch being formed: not reused
	}
	s.inputs.Put(p.x) // the batch it was copied into has run
	c := &classified{top: s.pred.TopK(logits, top), info: info, image: ImageInfo{
		Format: string(p.header.Format), Width: p.header.Width, Height: p.header.Height,
		CropBox: [4]int{p.box.Min.X, p.box.Min.Y, p.box.Max.X, p.box.Max.Y},
	}}
	if crop {
		c.image.Crop = pngDataURL(p.crop)
	}
	return c, nil
}

// tryAdmit takes a place for one image in the server (Options.Queue), or
// fails with ErrQueueFull; release gives it back.
func (s *Server) tryAdmit() (release func(), err error) {
	select {
	case s.admit <- struct{}{}:
	default:
		return nil, ErrQueueFull
	}
	s.metrics.inflight.Inc()
	var once sync.Once
	return func() {
		once.Do(func() {
			<-s.admit
			s.metrics.inflight.Dec()
		})
	}, nil
}

// topParam reads ?top=K (default 5): 1 up to MaxTop, or the number of
// classes.
func (s *Server) topParam(r *http.Request) (int, error) {
	v := r.URL.Query().Get("top")
	if v == "" {
		return defaultTop, nil
	}
	limit := s.opt.MaxTop
	if limit <= 0 {
		if limit = s.numClasses(); limit == 0 {
			limit = 1000 // not warm yet: TopK clamps to the classes there are
		}
	}
	k, err := strconv.Atoi(v)
	if err != nil || k < 1 || k > limit {
		return 0, &Error{Status: http.StatusBadRequest, Msg: fmt.Sprintf("top=%q: want a whole number from 1 to %d", v, limit)}
	}
	return k, nil
}

// numClasses is the model's number of classes, 0 before the warm-up pass
// has told.
func (s *Server) numClasses() int {
	select {
	case <-s.ready:
		return s.classes
	default:
		return 0
	}
}

func (s *Server) countImage(err error) {
	if err != nil {
		s.metrics.images.WithLabelValues("error").Inc()
	} else {
		s.metrics.images.WithLabelValues("ok").Inc()
	}
}

// postTop checks that r is a POST and reads its ?top=K, answering the
// error itself when either is wrong.
func (s *Server) postTop(w http.ResponseWriter, r *http.Request) (top int, ok bool) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, r, http.MethodPost)
		return 0, false
	}
	top, err := s.topParam(r)
	if err != nil {
		writeError(w, err)
		return 0, false
	}
	return top, true
}

// handleClassify answers POST /v1/classify.
func (s *Server) handleClassify(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	top, ok := s.postTop(w, r)
	if !ok {
		return
	}
	release, err := s.tryAdmit()
	if err != nil {
		writeError(w, err)
		return
	}
	defer release()
	data, name, err := s.readImage(w, r)
	if err == nil {
		var c *classified
		if c, err = s.classify(r.Context(), data, name, top, boolParam(r, "crop")); err == nil {
			s.countImage(nil)
			writeJSON(w, http.StatusOK, ClassifyResponse{Top: c.top, Model: s.opt.Model,
				Ms: ms(time.Since(start)), Batch: c.info.Size, Image: c.image})
			return
		}
	}
	s.countImage(err)
	writeError(w, err)
}

// boolParam reads ?name=1 or true.
func boolParam(r *http.Request, name string) bool {
	b, _ := strconv.ParseBool(r.URL.Query().Get(name))
	return b
}
