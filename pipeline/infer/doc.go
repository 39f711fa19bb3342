// Package infer runs the model inside the pipeline.
//
// ForwardFn is the batching DoFn: it loads the weights once per worker
// process (Setup, through a process-wide cache; each DoFn instance runs
// a replica that shares them), and within each bundle feeds the images
// it receives to predict.Predictor.RunSource, the code path of `alexnet
// classify` and `alexnet eval`: decoding on worker goroutines ahead of
// forward passes of Batch images each. Batches never span bundles; the
// last, partial one runs in FinishBundle. Images that do not decode go
// to the dead-letter output.
//
// FormatFn turns the scores into the JSON lines of `alexnet classify
// --json`. The counters (images, errors, bytes, forward_ms in the
// "alexnet" namespace) are Beam metrics; Progress is this process's
// running count, for the progress line of an in-process runner.
package infer
