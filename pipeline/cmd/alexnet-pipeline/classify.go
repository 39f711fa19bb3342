package main

import (
	"context"
	"fmt"
	"io"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"github.com/alexnet-go/alexnet/pipeline/infer"
	"github.com/alexnet-go/alexnet/pipeline/job"
	"github.com/alexnet-go/alexnet/pipeline/sink"
)

func runClassify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c common
	var j job.Classify
	fs := newFlagSet("classify", &c, stderr)
	fs.StringVar(&j.Input, "input", "", "images: a file glob ('photos/*.jpg'), a glob of .parquet files, or hf:OWNER/NAME (required)")
	fs.StringVar(&j.Split, "split", "", "split of a Hub data set (valid, train, ...)")
	fs.IntVar(&j.Top, "top", 5, "classes per image")
	fs.BoolVar(&j.Logits, "logits", false, "add each image's logits to its line")
	fs.IntVar(&j.Shards, "shards", 4, "result files (JSON Lines shards)")
	fs.IntVar(&j.ErrorShards, "error-shards", 1, "dead-letter files")
	fs.Usage = usage(fs, "classify --input GLOB|'*.parquet'|hf:OWNER/NAME --output PREFIX [flags]",
		"Writes PREFIX-SSSSS-of-NNNNN.jsonl, the lines of `alexnet classify --json`, and the files that\n"+
			"could not be read or decoded as PREFIX-errors-SSSSS-of-NNNNN.jsonl ({\"file\", \"error\"}).\n"+
			"Exit status 1 when any did.")
	if err := parse(fs, &c, args, stderr, "input", &j.Input); err != nil {
		return err
	}
	// Load here to fail before submitting; with prism the workers, in
	// this process, reuse it. Other workers find the weights themselves.
	if _, err := infer.Load(ctx, c.model); err != nil {
		return err
	}
	j.Output, j.Forward = c.output, c.forward
	j.Forward.Model = c.model
	counters, _, err := execute(ctx, &c, func(s beam.Scope) error { j.Build(s); return nil }, stderr)
	if err != nil {
		return err
	}
	if failed, total := failedCount(counters); failed > 0 {
		fmt.Fprintf(stderr, "alexnet-pipeline: %d of %d images failed (dead letters: %s)\n",
			failed, total, sink.ShardName(job.ErrorsPrefix(c.output), 0, j.ErrorShards)+"...")
		return errFailed
	}
	return nil
}
