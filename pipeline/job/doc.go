// Package job builds the two pipelines of alexnet-pipeline from the
// transforms of read, infer, score and sink:
//
//	classify: images (read) -> ForwardFn -> FormatFn -> PREFIX-SSSSS-of-NNNNN.jsonl
//	                      \-> dead letters -----------> PREFIX-errors-SSSSS-of-NNNNN.jsonl
//	eval:     images (read) -> ForwardFn -> RankFn -\
//	                      \-> dead letters ---------+-> TallyFn (a CombineFn) -> PREFIX-summary.json
//	                                           \-----> PREFIX-errors-00000-of-00001.jsonl
//
// The lines of classify are those of `alexnet classify --json`, and the
// summary of eval is the object `alexnet eval --json` prints.
package job
