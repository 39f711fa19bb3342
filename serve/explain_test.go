package serve

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/alexnet-go/alexnet/explain"
	"github.com/alexnet-go/alexnet/imageproc"
	"github.com/alexnet-go/alexnet/internal/testutil"
	"github.com/alexnet-go/alexnet/tensor"
)

// TestExplain: POST /v1/explain answers explain.Explain's map for the
// image (Grad-CAM of the top-1 class by default, the class asked for
// with ?class=K, another method with ?method=), its top-5 and a heat map
// PNG; a bad layer, class or method is a 400 naming the problem.
func TestExplain(t *testing.T) {
	s, ts := newTestServer(t, nil)
	f := photos[0]
	data := testutil.ReadFile(t, f)
	x, err := s.pred.Preprocess(f)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := loadNarrow(t).Model.Replica()
	if err != nil {
		t.Fatal(err)
	}
	e := explain.New(ref)
	post := func(query string) (int, []byte) {
		code, _, body := do(t, "POST", ts.URL+"/v1/explain"+query, "image/"+string(imageproc.Sniff(data)), bytes.NewReader(data))
		return code, body
	}
	for _, c := range []struct {
		query string
		opt   explain.Options
	}{
		{"", explain.Options{}},
		{"?class=3&method=gradcam%2B%2B", explain.Options{Class: explain.ClassIndex(3), Method: explain.GradCAMPlusPlus}},
		{"?method=saliency&top=3", explain.Options{Method: explain.Saliency}},
	} {
		code, body := post(c.query)
		if code != http.StatusOK {
			t.Fatalf("%s: status %d: %s", c.query, code, body)
		}
		var got ExplainResponse
		decodeJSON(t, body, &got)
		want, err := e.Explain(&tensor.Tensor{Shape: append([]int{1}, x.Shape...), Data: x.Data}, c.opt)
		if err != nil {
			t.Fatal(err)
		}
		if got.Class.Index != want.Class || got.Method != want.Method || got.Layer != want.Layer ||
			got.Map.H != want.Map.Shape[0] || got.Map.W != want.Map.Shape[1] || !slices.Equal(got.Map.Values, want.Map.Data) {
			t.Errorf("%s: class %d method %s layer %s map %d×%d, want %d %s %s %v", c.query, got.Class.Index, got.Method,
				got.Layer, got.Map.H, got.Map.W, want.Class, want.Method, want.Layer, want.Map.Shape)
		}
		if !strings.HasPrefix(got.Heatmap, "data:image/png;base64,") || got.Image.Crop == "" || len(got.Top) == 0 {
			t.Errorf("%s: heat map %.30q, crop %.30q, top %v", c.query, got.Heatmap, got.Image.Crop, got.Top)
		}
	}
	for query, want := range map[string]string{
		"?layer=features.99": "no layer",
		"?class=5000":        "class 5000 outside",
		"?class=dog":         "want a class index",
		"?method=lime":       "unknown method",
	} {
		code, body := post(query)
		if code != http.StatusBadRequest || !strings.Contains(string(body), want) {
			t.Errorf("%s: status %d %s, want 400 with %q", query, code, body, want)
		}
	}
}
