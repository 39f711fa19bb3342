package train

import (
	"context"

	"github.com/alexnet-go/alexnet/imageproc"
	"github.com/alexnet-go/alexnet/model"
)

// Metrics are a model's scores on a labelled set: the mean cross-entropy
// and the top-1 and top-5 accuracy (fractions), over N images.
type Metrics struct {
	N                int
	Loss, Top1, Top5 float64
}

// Validate runs m in eval mode (dropout off) over s, each image through
// transform (imageproc.Preprocess), batch images at a time, and scores the
// logits against the labels: logit k is class k of s. progress, when set,
// is called after each batch with the batches done and their total.
func Validate(ctx context.Context, m *model.AlexNet, s *Samples, transform *imageproc.Options, batch, workers int, progress func(done, total int)) (*Metrics, error) {
	order := EpochOrder(s.Len(), 0, 0, false)
	total, done := (s.Len()+batch-1)/batch, 0
	var r Metrics
	var top1, top5 int
	for b := range Load(ctx, s, order, batch, 0, 0, 0, nil, transform, workers) {
		if b.Err != nil {
			return nil, b.Err
		}
		y, err := m.Forward(b.X)
		if err != nil {
			return nil, err
		}
		loss, _, err := CrossEntropy{}.Loss(y, b.Labels)
		if err != nil {
			return nil, err
		}
		r.Loss += loss * float64(len(b.Labels))
		k := y.Shape[1]
		for i, lab := range b.Labels {
			rank := rankOf(y.Data[i*k:(i+1)*k], lab)
			if rank < 1 {
				top1++
			}
			if rank < 5 {
				top5++
			}
		}
		r.N += len(b.Labels)
		if done++; progress != nil {
			progress(done, total)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if r.N > 0 {
		r.Loss /= float64(r.N)
		r.Top1 = float64(top1) / float64(r.N)
		r.Top5 = float64(top5) / float64(r.N)
	}
	return &r, nil
}

// rankOf returns how many scores beat that of label (ties broken by the
// lower index first, as a stable descending sort does).
func rankOf(scores []float32, label int) int {
	v := scores[label]
	n := 0
	for j, s := range scores {
		if s > v || (s == v && j < label) {
			n++
		}
	}
	return n
}
