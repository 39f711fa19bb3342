package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/alexnet-go/alexnet/predict"
)

// A small run against an in-process server on the narrow test model:
// every level answers without error, and every bad request gets its
// status.
func TestRunSmall(t *testing.T) {
	err := run("", "../../testdata/classify/tv_narrow.pth", "torchvision", 2, 4, 5*time.Millisecond, 2,
		"../../testdata/jpeg/bench_500x375_420.jpg,../../testdata/imageproc/png_rgba.png", 10, "1,4", 3, 30*time.Second, 16)
	if err != nil {
		t.Fatal(err)
	}
}

// Only loopback servers are load-tested.
func TestLoopbackOnly(t *testing.T) {
	for u, ok := range map[string]bool{
		"http://127.0.0.1:8080": true, "http://localhost:1": true, "http://[::1]:80/": true, "http://127.3.4.5": true,
		"http://10.0.0.1:8080": false, "http://example.com": false, "http://192.168.1.2": false,
	} {
		if err := loopbackOnly(u); (err == nil) != ok {
			t.Errorf("%s: err %v", u, err)
		}
	}
}

// -check agrees with predict's numbers (the code of `alexnet classify
// --json`) and catches a probability that differs.
func TestCheck(t *testing.T) {
	weights := "../../testdata/classify/tv_narrow.pth"
	files := []string{"../../testdata/jpeg/bench_500x375_420.jpg", "../../testdata/imageproc/gif_p.gif"}
	p, err := predict.Load("torchvision", weights, 1)
	if err != nil {
		t.Fatal(err)
	}
	var lines []map[string]any
	err = p.Run(context.Background(), files, predict.RunOptions{}, func(r predict.Result) error {
		lines = append(lines, map[string]any{"file": r.File, "top": predict.TopK(r.Logits, 5)})
		return r.Err
	})
	if err != nil {
		t.Fatal(err)
	}
	write := func(lines []map[string]any) string {
		path := filepath.Join(t.TempDir(), "ref.jsonl")
		var b bytes.Buffer
		for _, l := range lines {
			json.NewEncoder(&b).Encode(l)
		}
		os.WriteFile(path, b.Bytes(), 0o644)
		return path
	}
	stop, url, err := startServer(weights, "torchvision", 1, 4, time.Millisecond, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if err := runCheck(url, write(lines), 30*time.Second); err != nil {
		t.Errorf("check against predict: %v", err)
	}
	lines[1]["top"].([]predict.Class)[2].Prob += 1e-4
	if err := runCheck(url, write(lines), 30*time.Second); err == nil {
		t.Error("a probability 1e-4 off passed the check")
	}
}
