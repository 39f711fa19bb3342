package job

import (
	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"github.com/alexnet-go/alexnet/pipeline/infer"
	"github.com/alexnet-go/alexnet/pipeline/read"
	"github.com/alexnet-go/alexnet/pipeline/sink"
)

// Classify configures the classify pipeline.
type Classify struct {
	// Input is a file glob, a glob of .parquet files, or hf:OWNER/NAME
	// (read.Files, read.Shards); Split the split of a Hub data set.
	Input, Split string
	// Output is the prefix of the files written: PREFIX-SSSSS-of-NNNNN.jsonl
	// (Shards of them) and the dead letters,
	// PREFIX-errors-SSSSS-of-NNNNN.jsonl (ErrorShards).
	Output              string
	Shards, ErrorShards int
	Forward             infer.ForwardFn
	Top                 int  // classes per image
	Logits              bool // add each image's logits to its line
}

// ErrorsPrefix is the prefix of the dead-letter shards of output.
func ErrorsPrefix(output string) string { return output + "-errors" }

// Build adds the classify pipeline to s.
func (c *Classify) Build(s beam.Scope) {
	s = s.Scope("classify")
	var images, readFailures beam.PCollection
	if read.IsShards(c.Input) {
		images, readFailures = read.Shards(s, c.Input, c.Split)
	} else {
		images, readFailures = read.Files(s, c.Input)
	}
	fwd := c.Forward
	scores, failures := beam.ParDo2(s, &fwd, images)
	lines := beam.ParDo(s, &infer.FormatFn{Model: fwd.Model, Top: c.Top, Logits: c.Logits}, scores)
	sink.Write(s, c.Output, c.Shards, lines)
	failures = beam.Flatten(s, readFailures, failures)
	sink.Write(s.Scope("errors"), ErrorsPrefix(c.Output), c.ErrorShards, beam.ParDo(s, infer.FailureLine, failures))
}
