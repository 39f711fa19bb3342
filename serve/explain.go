package serve

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"image/png"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/alexnet-go/alexnet/explain"
	"github.com/alexnet-go/alexnet/explain/heatmap"
	"github.com/alexnet-go/alexnet/predict"
	"github.com/alexnet-go/alexnet/tensor"
)

// ExplainResponse is the answer of POST /v1/explain: why the model
// predicts what it does for the image (package explain).
type ExplainResponse struct {
	Method string          `json:"method"`          // gradcam, gradcam++, saliency or occlusion
	Layer  string          `json:"layer,omitempty"` // Grad-CAM's layer
	Class  predict.Class   `json:"class"`           // the class explained
	Top    []predict.Class `json:"top"`
	Map    MapInfo         `json:"map"`
	// Heatmap is the map upsampled to the crop the model sees, scaled to
	// [0, 1] and coloured (blue low, red high), as a PNG data URL: lay it
	// over Image.Crop, or over Image.CropBox of the photo.
	Heatmap string    `json:"heatmap"`
	Model   string    `json:"model"`
	Ms      float64   `json:"ms"`
	Image   ImageInfo `json:"image"`
}

// MapInfo is an explanation's map before upsampling, row-major.
type MapInfo struct {
	H      int       `json:"h"`
	W      int       `json:"w"`
	Values []float32 `json:"values"`
}

// explainer runs the Server's explanations, one at a time, on a replica
// of the model of its own (the lanes keep theirs).
type explainer struct {
	mu  sync.Mutex
	e   *explain.Explainer
	err error // why there is none
}

// newExplainer makes the explainer of p, before any lane runs p.
func newExplainer(p *predict.Predictor) *explainer {
	if p.Int8() {
		return &explainer{err: &Error{Status: http.StatusNotImplemented,
			Msg: "explanations need the float32 model; this server runs an int8 one"}}
	}
	r, err := p.Replica()
	if err != nil {
		return &explainer{err: err}
	}
	return &explainer{e: explain.New(r.Model)}
}

// handleExplain answers POST /v1/explain?method=M&class=K&layer=L&top=N.
func (s *Server) handleExplain(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	top, ok := s.postTop(w, r)
	if !ok {
		return
	}
	opt, err := explainOptions(r)
	if err == nil {
		err = s.expl.err
	}
	if err != nil {
		writeError(w, err)
		return
	}
	release, err := s.tryAdmit()
	if err != nil {
		writeError(w, err)
		return
	}
	defer release()
	data, name, err := s.readImage(w, r)
	var resp *ExplainResponse
	if err == nil {
		resp, err = s.explain(r.Context(), data, name, opt, top)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	resp.Ms = ms(time.Since(start))
	writeJSON(w, http.StatusOK, resp)
}

// explainOptions reads ?method, ?class and ?layer.
func explainOptions(r *http.Request) (explain.Options, error) {
	q := r.URL.Query()
	opt := explain.Options{Method: q.Get("method"), Layer: q.Get("layer")}
	if v := q.Get("class"); v != "" {
		k, err := strconv.Atoi(v)
		if err != nil {
			return opt, &Error{Status: http.StatusBadRequest, Msg: fmt.Sprintf("class=%q: want a class index", v)}
		}
		opt.Class = explain.ClassIndex(k)
	}
	return opt, nil
}

// explain prepares the image and explains it on s's explainer.
func (s *Server) explain(ctx context.Context, data []byte, name string, opt explain.Options, top int) (*ExplainResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opt.RequestTimeout)
	defer cancel()
	p, err := s.prepare(ctx, data, name)
	if err != nil {
		return nil, err
	}
	x := &tensor.Tensor{Shape: append([]int{1}, p.x.Shape...), Data: p.x.Data}
	s.expl.mu.Lock()
	res, err := s.expl.e.Explain(x, opt)
	s.expl.mu.Unlock()
	if err != nil {
		var le *explain.LayerError
		var ce *explain.ClassError
		var oe *explain.OptionError
		if errors.As(err, &le) || errors.As(err, &ce) || errors.As(err, &oe) {
			return nil, &Error{Status: http.StatusBadRequest, Msg: err.Error(), Err: err}
		}
		return nil, err
	}
	all := s.pred.TopK(res.Logits, len(res.Logits))
	resp := &ExplainResponse{Method: res.Method, Layer: res.Layer, Top: all[:min(top, len(all))], Model: s.opt.Model,
		Map:     MapInfo{H: res.Map.Shape[0], W: res.Map.Shape[1], Values: res.Map.Data},
		Heatmap: heatmapURL(res.Map, p.crop.H, p.crop.W),
		Image: ImageInfo{Format: string(p.header.Format), Width: p.header.Width, Height: p.header.Height,
			CropBox: [4]int{p.box.Min.X, p.box.Min.Y, p.box.Max.X, p.box.Max.Y}, Crop: pngDataURL(p.crop)}}
	for _, c := range all {
		if c.Index == res.Class {
			resp.Class = c
		}
	}
	return resp, nil
}

// heatmapURL is heatmap.Image of m at h×w as a PNG data URL.
func heatmapURL(m *tensor.Tensor, h, w int) string {
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	enc.Encode(&b, heatmap.Image(m, h, w)) // writing to a bytes.Buffer does not fail
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes())
}
