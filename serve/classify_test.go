package serve

import (
	"bytes"
	"context"
	"errors"
	"math"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/alexnet-go/alexnet/imageproc"
	"github.com/alexnet-go/alexnet/internal/testutil"
	"github.com/alexnet-go/alexnet/predict"
	"github.com/alexnet-go/alexnet/tensor"
)

// reference is what `alexnet classify --json` prints for files: predict.Run
// (batches of 8, as classify does) and predict.TopK on the logits.
func reference(t *testing.T, p *predict.Predictor, files []string, k int) map[string][]predict.Class {
	t.Helper()
	out := map[string][]predict.Class{}
	err := p.Run(context.Background(), files, predict.RunOptions{Batch: 8}, func(r predict.Result) error {
		if r.Err != nil {
			return r.Err
		}
		out[r.File] = predict.TopK(r.Logits, k)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameTop checks got against want: the same classes in the same order and
// probabilities within 1e-5. Two classes may trade places only where their
// probabilities tie to 1e-6 (the narrow test model's logits are close).
func sameTop(t *testing.T, name string, got, want []predict.Class) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d classes, want %d", name, len(got), len(want))
	}
	for i := range want {
		if d := math.Abs(float64(got[i].Prob - want[i].Prob)); d > 1e-5 {
			t.Errorf("%s: rank %d prob %v, want %v", name, i, got[i].Prob, want[i].Prob)
		}
		if got[i].Index != want[i].Index {
			if math.Abs(float64(got[i].Prob-want[i].Prob)) > 1e-6 {
				t.Errorf("%s: rank %d is %d %q, want %d %q", name, i, got[i].Index, got[i].Label, want[i].Index, want[i].Label)
			}
		} else if got[i].Label != want[i].Label {
			t.Errorf("%s: rank %d label %q, want %q", name, i, got[i].Label, want[i].Label)
		}
	}
}

// POST /v1/classify answers each photo with the top-5 and probabilities of
// `alexnet classify` (predict.Run + predict.TopK), as a raw body and as a
// multipart field, and ?top=K gives K classes.
func TestClassifyMatchesPredict(t *testing.T) {
	s, ts := newTestServer(t, nil)
	want := reference(t, s.pred, photos, 10)
	for _, f := range photos {
		data := testutil.ReadFile(t, f)
		var got ClassifyResponse
		code, h, body := do(t, "POST", ts.URL+"/v1/classify", "image/"+string(imageproc.Sniff(data)), bytes.NewReader(data))
		if code != http.StatusOK {
			t.Fatalf("%s: status %d: %s", f, code, body)
		}
		if ct := h.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		decodeJSON(t, body, &got)
		sameTop(t, f, got.Top, want[f][:5])
		if got.Model != "torchvision" || got.Batch < 1 || got.Ms <= 0 {
			t.Errorf("%s: model %q batch %d ms %v", f, got.Model, got.Batch, got.Ms)
		}
		if got.Image.Width <= 0 || got.Image.Format != string(imageproc.Sniff(data)) || got.Image.Crop != "" {
			t.Errorf("%s: image info %+v", f, got.Image)
		}

		mb, ct := multipartBody(t, "image", map[string][]byte{f: data}, []string{f})
		code, _, body = do(t, "POST", ts.URL+"/v1/classify?top=10&crop=1", ct, mb)
		if code != http.StatusOK {
			t.Fatalf("%s multipart: status %d: %s", f, code, body)
		}
		decodeJSON(t, body, &got)
		sameTop(t, f+" (multipart, top=10)", got.Top, want[f])
		if len(got.Image.Crop) < 100 || !bytes.HasPrefix([]byte(got.Image.Crop), []byte("data:image/png;base64,")) {
			t.Errorf("%s: crop=1 gave crop %.40q", f, got.Image.Crop)
		}
	}
}

// The batch endpoint answers each part in order, each as the single
// endpoint would, a bad part with its own status.
func TestClassifyBatch(t *testing.T) {
	s, ts := newTestServer(t, &Options{MaxWait: 50e6})
	want := reference(t, s.pred, photos, 5)
	files := map[string][]byte{"notes.txt": []byte("not an image")}
	order := []string{}
	for _, f := range photos {
		files[f] = testutil.ReadFile(t, f)
		order = append(order, f)
	}
	order = append(order[:2], append([]string{"notes.txt"}, order[2:]...)...)
	mb, ct := multipartBody(t, "image", files, order)
	code, _, body := do(t, "POST", ts.URL+"/v1/classify/batch", ct, mb)
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, body)
	}
	var got BatchResponse
	decodeJSON(t, body, &got)
	if len(got.Results) != len(order) {
		t.Fatalf("%d results for %d images", len(got.Results), len(order))
	}
	biggest := 0
	for i, f := range order {
		r := got.Results[i]
		if f == "notes.txt" {
			if r.Status != http.StatusUnsupportedMediaType || r.Error == "" || r.Name != "notes.txt" {
				t.Errorf("text part: %+v", r)
			}
			continue
		}
		if r.Status != http.StatusOK {
			t.Fatalf("%s: %+v", f, r)
		}
		sameTop(t, f, r.Top, want[f])
		biggest = max(biggest, r.Batch)
	}
	if biggest < 2 {
		t.Errorf("the batch request's images never shared a forward pass (largest batch %d)", biggest)
	}
}

// imageproc.PreprocessInto, which keeps the crop for the page, gives bit
// for bit the tensor of imageproc.Preprocess with the predictor's options,
// also when it writes over a reused tensor, and its box is the centre crop
// in the source's pixels.
func TestTransformMatchesPreprocess(t *testing.T) {
	p := loadNarrow(t)
	reused := tensor.New(3, 224, 224)
	for i, f := range photos {
		img, err := imageproc.DecodeFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := imageproc.Preprocess(img, p.Transform)
		if err != nil {
			t.Fatal(err)
		}
		var dst *tensor.Tensor
		switch i % 3 {
		case 1:
			dst = reused
			for j := range dst.Data {
				dst.Data[j] = float32(math.NaN())
			}
		case 2:
			dst = tensor.New(3, 5, 7) // the wrong shape: not used
		}
		pp, err := imageproc.PreprocessInto(dst, img, p.Transform)
		if err != nil {
			t.Fatal(err)
		}
		x, crop, box := pp.X, pp.Crop, pp.Box
		if x == nil || len(x.Data) != len(want.Data) {
			t.Fatalf("%s: tensor %v", f, x)
		}
		if (i%3 == 1) != (x == reused) {
			t.Errorf("%s: reused the given tensor %v, want %v", f, x == reused, i%3 == 1)
		}
		for i := range want.Data {
			if math.Float32bits(x.Data[i]) != math.Float32bits(want.Data[i]) {
				t.Fatalf("%s: element %d is %v, want %v", f, i, x.Data[i], want.Data[i])
			}
		}
		if crop.W != 224 || crop.H != 224 {
			t.Errorf("%s: crop %dx%d", f, crop.W, crop.H)
		}
		// The box is centred, square, and 224/256 of the shorter side.
		short := float64(min(img.W, img.H))
		if d := math.Abs(float64(box.Dx()) - short*224/256); d > 1.5 {
			t.Errorf("%s (%dx%d): box %v, want side %.1f", f, img.W, img.H, box, short*224/256)
		}
		if cx := box.Min.X + box.Max.X; cx < img.W-2 || cx > img.W+2 {
			t.Errorf("%s (%dx%d): box %v not centred", f, img.W, img.H, box)
		}
	}
	if pp, err := imageproc.PreprocessInto(nil, imageproc.NewRGB(0, 5), p.Transform); pp.X != nil || !errors.Is(err, imageproc.ErrNoPixels) {
		t.Error("0-pixel image gave a tensor")
	}
}

// With two lanes (two forward passes at once, on model replicas sharing
// the weights), many concurrent requests each get exactly what predict
// gives for the image, and /metrics counts both lanes once warm.
func TestLanes(t *testing.T) {
	_, ts := newTestServer(t, &Options{Lanes: 2, MaxBatch: 2, MaxWait: time.Millisecond})
	if n := metricValue(t, ts.URL, "alexnet_forward_lanes"); n != 2 {
		t.Fatalf("alexnet_forward_lanes %v, want 2", n)
	}
	want := reference(t, loadNarrow(t), photos, 5)
	var wg sync.WaitGroup
	for i := range 24 {
		f := photos[i%len(photos)]
		data := testutil.ReadFile(t, f)
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, _, body := do(t, "POST", ts.URL+"/v1/classify", "application/octet-stream", bytes.NewReader(data))
			if code != http.StatusOK {
				t.Errorf("%s: status %d: %s", f, code, body)
				return
			}
			var got ClassifyResponse
			decodeJSON(t, body, &got)
			sameTop(t, f, got.Top, want[f])
		}()
	}
	wg.Wait()
}
