package train

import (
	"errors"
	"math"
	"path/filepath"
	"testing"

	"github.com/alexnet-go/alexnet/internal/numcmp"
	"github.com/alexnet-go/alexnet/internal/testutil"
	"github.com/alexnet-go/alexnet/tensor"
)

func flat(rows [][]float64) ([]float32, []int) {
	var d []float32
	for _, r := range rows {
		for _, v := range r {
			d = append(d, float32(v))
		}
	}
	return d, []int{len(rows), len(rows[0])}
}

// TestCrossEntropyMatchesPyTorch compares loss and gradient with
// torch.nn.functional.cross_entropy, with and without label smoothing.
func TestCrossEntropyMatchesPyTorch(t *testing.T) {
	var cases []struct {
		Logits         [][]float64 `json:"logits"`
		Labels         []int       `json:"labels"`
		LabelSmoothing float64     `json:"label_smoothing"`
		Loss           float64     `json:"loss"`
		Grad           [][]float64 `json:"grad"`
	}
	testutil.ReadJSON(t, filepath.Join(fixtures, "loss.json"), &cases)
	for i, c := range cases {
		data, shape := flat(c.Logits)
		x, _ := tensor.FromData(data, shape...)
		loss, grad, err := CrossEntropy{LabelSmoothing: c.LabelSmoothing}.Loss(x, c.Labels)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := flat(c.Grad)
		if d := math.Abs(loss - c.Loss); d > 1e-6 {
			t.Errorf("case %d (ε=%g): loss %.7f, PyTorch %.7f", i, c.LabelSmoothing, loss, c.Loss)
		}
		if e := numcmp.RelMaxDiff(grad.Data, want); e > 1e-6 {
			t.Errorf("case %d (ε=%g): gradient relative error %.3g", i, c.LabelSmoothing, e)
		}
	}
}

func TestCrossEntropyErrors(t *testing.T) {
	x := tensor.New(2, 3)
	var le *LabelError
	if _, _, err := (CrossEntropy{}).Loss(x, []int{0, 3}); !errors.As(err, &le) || le.Index != 1 {
		t.Errorf("label 3 of 3 classes: err = %v, want *LabelError for sample 1", err)
	}
	var se *tensor.ShapeError
	if _, _, err := (CrossEntropy{}).Loss(x, []int{0}); !errors.As(err, &se) {
		t.Errorf("one label for two rows: err = %v, want *tensor.ShapeError", err)
	}
	if _, _, err := (CrossEntropy{}).Loss(tensor.New(2, 3, 1), []int{0, 0}); !errors.As(err, &se) {
		t.Errorf("3-D logits: err = %v, want *tensor.ShapeError", err)
	}
	var ce *ConfigError
	if _, _, err := (CrossEntropy{LabelSmoothing: 1.5}).Loss(x, []int{0, 0}); !errors.As(err, &ce) {
		t.Errorf("label smoothing 1.5: err = %v, want *ConfigError", err)
	}
}
