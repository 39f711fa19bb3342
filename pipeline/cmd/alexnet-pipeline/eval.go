package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"

	"github.com/alexnet-go/alexnet/dataset"
	"github.com/alexnet-go/alexnet/eval"
	"github.com/alexnet-go/alexnet/pipeline/infer"
	"github.com/alexnet-go/alexnet/pipeline/job"
	"github.com/alexnet-go/alexnet/pipeline/score"
	"github.com/alexnet-go/alexnet/pipeline/sink"
)

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c common
	var j job.Eval
	var asJSON bool
	fs := newFlagSet("eval", &c, stderr)
	fs.StringVar(&j.Data, "data", "", "data set: a folder (Tiny ImageNet, ImageFolder, ImageNet val), .parquet files or hf:OWNER/NAME (required)")
	fs.StringVar(&j.Split, "split", "", "split of the data set (val, valid, train, ...)")
	fs.BoolVar(&j.Restrict, "restrict", false, "take the argmax over the data set's own classes only")
	fs.StringVar(&j.Summary.TTA, "tta", eval.Center, "test-time augmentation: center or tencrop")
	fs.BoolVar(&asJSON, "json", false, "print the summary as one JSON object (that of `alexnet eval --json`)")
	fs.Usage = usage(fs, "eval --data PATH|hf:OWNER/NAME --output PREFIX [flags]",
		"Writes PREFIX-summary.json (the object of `alexnet eval --json`: top-1, top-5, per-class counts)\n"+
			"and the samples that could not be read or decoded as PREFIX-errors-00000-of-00001.jsonl, and\n"+
			"prints the summary. Exit status 1 when any sample failed.")
	if err := parse(fs, &c, args, stderr, "data", &j.Data); err != nil {
		return err
	}
	if j.Summary.TTA != eval.Center && j.Summary.TTA != eval.TenCrop {
		return fmt.Errorf("--tta %q: want %s or %s", j.Summary.TTA, eval.Center, eval.TenCrop)
	}
	if err := prepareEval(ctx, &c, &j); err != nil {
		return err
	}
	_, d, err := execute(ctx, &c, j.Build, stderr)
	if err != nil {
		return err
	}
	sum, err := finishSummary(ctx, job.SummaryPath(c.output), d)
	if err != nil {
		return err
	}
	if asJSON {
		err = eval.WriteJSON(stdout, sum)
	} else {
		err = eval.WriteText(stdout, sum)
	}
	if err != nil {
		return err
	}
	if len(sum.Errors) > 0 {
		fmt.Fprintf(stderr, "alexnet-pipeline: %d of %d images failed\n", len(sum.Errors), sum.Images)
		return errFailed
	}
	return nil
}

// prepareEval opens the data set and the model on this machine (a Hub
// data set is downloaded here) and fills in the job's configuration.
func prepareEval(ctx context.Context, c *common, j *job.Eval) error {
	ds, err := dataset.Open(ctx, j.Data, &dataset.Options{Split: j.Split})
	if err != nil {
		return err
	}
	_, j.Indexed = ds.(dataset.Indexed)
	j.Len, j.Classes = ds.Len(), ds.Classes()
	m, err := c.model.Resolve(ctx)
	if err != nil {
		return err
	}
	pred, err := infer.Load(ctx, c.model)
	if err != nil {
		return err
	}
	j.NumClasses = pred.Model.Config().NumClasses
	r, err := score.NewRanker(j.NumClasses, eval.MapClasses(j.Classes), j.Restrict)
	if err != nil {
		return err
	}
	j.Summary.Data, j.Summary.Split, j.Summary.Arch, j.Summary.Weights = j.Data, j.Split, pred.Arch, m.Weights
	j.Summary.Restrict = j.Restrict
	j.Summary.RestrictClasses = len(r.Allowed())
	if !j.Restrict && !r.Native() {
		j.Summary.RestrictClasses = j.NumClasses
	}
	j.Output, j.Forward = c.output, c.forward
	j.Forward.Model, j.Forward.TenCrop = c.model, j.Summary.TTA == eval.TenCrop
	return nil
}

// finishSummary reads the summary the job wrote, adds the run's time
// and speed (classified images per second, reading included), and
// writes it back.
func finishSummary(ctx context.Context, path string, d time.Duration) (*eval.Summary, error) {
	fs, err := filesystem.New(ctx, path)
	if err != nil {
		return nil, err
	}
	defer fs.Close()
	b, err := filesystem.Read(ctx, fs, path)
	if err != nil {
		return nil, fmt.Errorf("the job's summary: %w", err)
	}
	var s eval.Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("the job's summary %s: %w", path, err)
	}
	s.Seconds = d.Seconds()
	if s.Seconds > 0 {
		s.ImagesPerSec = float64(s.Classified) / s.Seconds
	}
	if b, err = json.MarshalIndent(&s, "", "  "); err != nil {
		return nil, err
	}
	return &s, sink.WriteFile(ctx, path, append(b, '\n'))
}
