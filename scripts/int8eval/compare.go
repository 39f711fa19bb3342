package main

import (
	"context"
	"time"

	"github.com/alexnet-go/alexnet/predict"
	"github.com/alexnet-go/alexnet/qmodel"
	"github.com/alexnet-go/alexnet/tensor"
)

// accuracy is one model's figures.
type accuracy struct {
	Top1         float64 `json:"top1"`
	Top5         float64 `json:"top5"`
	ImagesPerSec float64 `json:"images_per_s"`
}

// report is what int8eval prints.
type report struct {
	Images        int      `json:"images"`
	CalibN        int      `json:"calib_n"`
	Observer      string   `json:"observer"`
	FP32Layers    []string `json:"fp32_layers"`
	CalibSeconds  float64  `json:"calib_s"`
	FP32          accuracy `json:"fp32"`
	Int8          accuracy `json:"int8"`
	Top1Agreement float64  `json:"top1_agreement"`
}

// tally counts one model's hits and forward time.
type tally struct {
	top1, top5 int
	seconds    float64
}

func (t *tally) add(logits *tensor.Tensor, labels []int, d time.Duration) []int {
	t.seconds += d.Seconds()
	classes := logits.Shape[1]
	best := make([]int, len(labels))
	for i, y := range labels {
		top := predict.TopK(logits.Data[i*classes:(i+1)*classes], 5)
		best[i] = top[0].Index
		for k, c := range top {
			if c.Index == y {
				t.top5++
				if k == 0 {
					t.top1++
				}
			}
		}
	}
	return best
}

func (t *tally) accuracy(n int) accuracy {
	return accuracy{Top1: float64(t.top1) / float64(n), Top5: float64(t.top5) / float64(n), ImagesPerSec: float64(n) / t.seconds}
}

// compare runs the float32 model of p and q over items in batches of n.
func compare(p *predict.Predictor, q *qmodel.Model, items []item, n int) (*report, error) {
	var f, i8 tally
	agree := 0
	for s := 0; s < len(items); s += n {
		part := items[s:min(s+n, len(items))]
		x, err := load(p, part)
		if err != nil {
			return nil, err
		}
		labels := make([]int, len(part))
		for i, it := range part {
			labels[i] = it.label
		}
		t0 := time.Now()
		yf, err := p.Forward(context.Background(), x)
		if err != nil {
			return nil, err
		}
		bf := f.add(yf, labels, time.Since(t0))
		t0 = time.Now()
		yq, err := q.Forward(x)
		if err != nil {
			return nil, err
		}
		bq := i8.add(yq, labels, time.Since(t0))
		for i := range bf {
			if bf[i] == bq[i] {
				agree++
			}
		}
	}
	m := len(items)
	return &report{Images: m, FP32: f.accuracy(m), Int8: i8.accuracy(m), Top1Agreement: float64(agree) / float64(m)}, nil
}
