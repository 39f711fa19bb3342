package train

import (
	"fmt"
	"math"

	"github.com/alexnet-go/alexnet/tensor"
)

// CrossEntropy is torch.nn.CrossEntropyLoss(label_smoothing=LabelSmoothing)
// with class-index targets and mean reduction. For logits x (N,K), labels
// y and ε = LabelSmoothing,
//
//	logp[i, k] = x[i, k] - log Σ_k' exp(x[i, k'])
//	loss       = 1/N Σ_i ( -(1-ε)·logp[i, y_i] - ε/K · Σ_k logp[i, k] )
//	∂loss/∂x[i, k] = ( softmax(x)[i, k] - (1-ε)·[k = y_i] - ε/K ) / N
//
// computed in float64. ε must lie in [0, 1].
type CrossEntropy struct {
	LabelSmoothing float64
}

// Loss returns the loss of logits (N,K) for labels (N values in [0, K))
// and its gradient with respect to the logits, a new (N,K) tensor.
func (c CrossEntropy) Loss(logits *tensor.Tensor, labels []int) (float64, *tensor.Tensor, error) {
	if logits == nil || len(logits.Shape) != 2 || logits.Shape[0] < 1 || logits.Shape[1] < 1 ||
		len(logits.Data) != tensor.Numel(logits.Shape) {
		var got []int
		if logits != nil {
			got = logits.Shape
		}
		return 0, nil, &tensor.ShapeError{Op: "train.CrossEntropy", Got: got, Msg: "want logits (N, K)"}
	}
	n, k := logits.Shape[0], logits.Shape[1]
	if len(labels) != n {
		return 0, nil, &tensor.ShapeError{Op: "train.CrossEntropy", Got: logits.Shape, Msg: fmt.Sprintf("%d labels for %d rows", len(labels), n)}
	}
	eps := c.LabelSmoothing
	if !(eps >= 0 && eps <= 1) {
		return 0, nil, &ConfigError{"CrossEntropy", fmt.Sprintf("label smoothing %v not in [0, 1]", eps)}
	}
	for i, y := range labels {
		if y < 0 || y >= k {
			return 0, nil, &LabelError{Index: i, Label: y, Classes: k}
		}
	}
	grad := tensor.New(n, k)
	p := make([]float64, k)
	var total float64
	for i, y := range labels {
		row := logits.Data[i*k : (i+1)*k]
		m := math.Inf(-1)
		for _, v := range row {
			m = max(m, float64(v))
		}
		var s float64
		for j, v := range row {
			p[j] = math.Exp(float64(v) - m)
			s += p[j]
		}
		lse := m + math.Log(s)
		var sumLogp float64
		for _, v := range row {
			sumLogp += float64(v) - lse
		}
		total += -(1-eps)*(float64(row[y])-lse) - eps/float64(k)*sumLogp
		g := grad.Data[i*k : (i+1)*k]
		for j := range g {
			q := eps / float64(k)
			if j == y {
				q += 1 - eps
			}
			g[j] = float32((p[j]/s - q) / float64(n))
		}
	}
	return total / float64(n), grad, nil
}
