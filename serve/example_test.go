package serve_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/alexnet-go/alexnet/predict"
	"github.com/alexnet-go/alexnet/serve"
)

// This example mounts the server's handler under /alexnet/ in a program's
// own http.ServeMux and posts a PNG to its classify endpoint, without a
// network (httptest). The model is the narrow torchvision fixture of
// testdata/gen/classify.py; the expected top-2 are PyTorch's for this
// image (the two largest logits in testdata/classify/tv_logits.npy).
func ExampleNew() {
	p, err := predict.Load("torchvision", "../testdata/classify/tv_narrow.pth", 2)
	if err != nil {
		log.Fatal(err)
	}
	s := serve.New(p, &serve.Options{Logger: slog.New(slog.DiscardHandler)})
	defer s.Close()
	mux := http.NewServeMux()
	mux.Handle("/alexnet/", http.StripPrefix("/alexnet", s.Handler()))
	if err := s.WaitReady(context.Background()); err != nil { // the warm-up pass
		log.Fatal(err)
	}

	img, err := os.ReadFile("../testdata/imageproc/png_rgba.png")
	if err != nil {
		log.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/alexnet/v1/classify?top=2", bytes.NewReader(img))
	req.Header.Set("Content-Type", "image/png")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	var resp serve.ClassifyResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		log.Fatal(err)
	}
	fmt.Println(rec.Code, resp.Model, resp.Image.Format, resp.Image.Width, resp.Image.Height)
	for _, c := range resp.Top {
		fmt.Println(c.Index, c.Label)
	}
	// Output:
	// 200 torchvision png 64 48
	// 641 maraca
	// 149 dugong
}
