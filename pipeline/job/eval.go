package job

import (
	"context"
	"encoding/json"
	"reflect"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/alexnet-go/alexnet/eval"
	"github.com/alexnet-go/alexnet/pipeline/infer"
	"github.com/alexnet-go/alexnet/pipeline/read"
	"github.com/alexnet-go/alexnet/pipeline/score"
	"github.com/alexnet-go/alexnet/pipeline/sink"
)

func init() {
	register.DoFn2x1[context.Context, score.Tally, error](&writeSummaryFn{})
	beam.RegisterType(reflect.TypeOf((*writeSummaryFn)(nil)).Elem())
}

// Eval configures the eval pipeline.
type Eval struct {
	// Data is the data set (as `alexnet eval --data`), Split its split.
	// A folder layout is read by index (Len samples), anything else
	// (parquet, hf:) in one stream per spec.
	Data, Split string
	Indexed     bool
	Len         int
	// Classes are the data set's class ids, NumClasses the model's
	// outputs; Restrict ranks over the data set's classes only.
	Classes    []string
	NumClasses int
	Restrict   bool
	// Output is the prefix of PREFIX-summary.json and of the dead
	// letters, PREFIX-errors-00000-of-00001.jsonl.
	Output  string
	Forward infer.ForwardFn
	// Summary holds the fields of the summary that describe the run
	// (data, split, arch, weights, tta, restrict...); the pipeline
	// fills in the counts.
	Summary eval.Summary
}

// SummaryPath is the summary file of output.
func SummaryPath(output string) string { return output + "-summary.json" }

// Build adds the eval pipeline to s.
func (e *Eval) Build(s beam.Scope) error {
	s = s.Scope("eval")
	var images, readFailures beam.PCollection
	if e.Indexed {
		images, readFailures = read.Indexed(s, e.Data, e.Split, e.Len)
	} else {
		images, readFailures = read.Shards(s, e.Data, e.Split)
	}
	fwd := e.Forward
	scores, failures := beam.ParDo2(s, &fwd, images)
	failures = beam.Flatten(s, readFailures, failures)
	outcomes := beam.Flatten(s,
		beam.ParDo(s, &score.RankFn{NumClasses: e.NumClasses, Classes: e.Classes, Restrict: e.Restrict}, scores),
		beam.ParDo(s, score.FailureOutcome, failures))
	tally := beam.Combine(s, &score.TallyFn{Classes: e.Classes}, outcomes)
	template, err := json.Marshal(e.Summary)
	if err != nil {
		return err
	}
	beam.ParDo0(s, &writeSummaryFn{Path: SummaryPath(e.Output), Template: string(template), Classes: e.Classes}, tally)
	sink.Write(s.Scope("errors"), ErrorsPrefix(e.Output), 1, beam.ParDo(s, infer.FailureLine, failures))
	return nil
}

// writeSummaryFn writes the summary of the tally: Template (the JSON of
// an eval.Summary that describes the run) with the counts filled in.
type writeSummaryFn struct {
	Path, Template string
	Classes        []string
}

func (fn *writeSummaryFn) ProcessElement(ctx context.Context, t score.Tally) error {
	var s eval.Summary
	if err := json.Unmarshal([]byte(fn.Template), &s); err != nil {
		return err
	}
	score.Summary(&s, t, fn.Classes)
	b, err := json.MarshalIndent(&s, "", "  ")
	if err != nil {
		return err
	}
	return sink.WriteFile(ctx, fn.Path, append(b, '\n'))
}
