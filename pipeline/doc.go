// Package pipeline is the root of the Apache Beam module of alexnet:
// batch classification and evaluation that run on any Beam runner (the
// in-process prism by default; Flink, Spark and Dataflow by flag) and
// give exactly the answers of `alexnet classify --json` and `alexnet
// eval --json`.
//
// It is its own Go module so that the core module's dependencies stay
// small. The packages, in the order data flows through them:
//
//   - elem: the elements passed between transforms (an encoded image,
//     its scores, a dead letter);
//   - read: images from file globs (Beam's fileio), parquet shards and
//     Hub data sets, and labelled data sets by index;
//   - infer: the batching DoFn that runs the forward pass (weights
//     loaded once per worker), and the JSON lines of `alexnet classify`;
//   - score: top-1/top-5 and per-class counts as a Beam CombineFn, into
//     the summary of `alexnet eval`;
//   - sink: JSON Lines shards written so that a retried bundle or job
//     neither loses nor duplicates a row;
//   - job: the classify and eval pipelines built from those;
//   - runner: running a pipeline (prism in-process, or a job service),
//     re-submitting a failed job, the progress line and the counters;
//   - cmd/alexnet-pipeline: the command;
//   - k8s: tests of the Kubernetes manifests of `alexnet serve`
//     (deploy/k8s).
package pipeline
