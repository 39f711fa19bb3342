// Package score computes `alexnet eval`'s summary inside the pipeline:
// RankFn ranks each image's scores as eval ranks them (the model's own
// classes mapped to ImageNet-1k, or the argmax restricted to the data
// set's classes), and TallyFn, a Beam CombineFn, adds up the counts
// (images, errors, top-1 and top-5 per class, confused class pairs)
// from any number of workers into one Tally, which Summary turns into
// the eval.Summary that `alexnet eval --json` prints.
package score
