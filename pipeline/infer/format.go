package infer

import (
	"context"
	"encoding/json"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/alexnet-go/alexnet/pipeline/elem"
	"github.com/alexnet-go/alexnet/predict"
)

func init() {
	register.DoFn1x2[elem.Scores, elem.Line, error](&FormatFn{})
	register.Function1x2[elem.Failure, elem.Line, error](FailureLine)
}

// ClassifyLine is a line of `alexnet classify --json`: an image's top-K
// classes (and with --logits its logits), or the error that kept it
// from being classified.
type ClassifyLine struct {
	File   string          `json:"file"`
	Top    []predict.Class `json:"top,omitempty"`
	Logits []float32       `json:"logits,omitempty"`
	Error  string          `json:"error,omitempty"`
}

// FormatFn turns an image's logits into its line of `alexnet classify
// --json`: the Top classes, named as the model's classes.txt names them
// (predict.Predictor.TopK), and with Logits its logits.
type FormatFn struct {
	Model  Model
	Top    int
	Logits bool

	p *predict.Predictor // the process's shared Predictor, for its class names
}

// Setup finds the model's class names (the model is loaded once per
// process: ForwardFn's).
func (fn *FormatFn) Setup(ctx context.Context) error {
	var err error
	fn.p, err = Load(ctx, fn.Model)
	return err
}

// ProcessElement formats one image's line, keyed by its name.
func (fn *FormatFn) ProcessElement(s elem.Scores) (elem.Line, error) {
	l := ClassifyLine{File: s.Name, Top: fn.p.TopK(s.Scores, fn.Top)}
	if fn.Logits {
		l.Logits = s.Scores
	}
	b, err := json.Marshal(l)
	return elem.Line{Key: s.Name, Text: string(b)}, err
}

// FailureLine is the line of a dead letter: {"file": ..., "error": ...},
// as `alexnet classify --json` prints for a file it cannot classify.
func FailureLine(f elem.Failure) (elem.Line, error) {
	b, err := json.Marshal(f)
	return elem.Line{Key: f.File, Text: string(b)}, err
}
