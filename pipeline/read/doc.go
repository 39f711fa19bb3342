// Package read turns the inputs of the pipeline into a PCollection of
// elem.Image, each the bytes of one image, and a PCollection of
// elem.Failure for the inputs that cannot be read:
//
//   - Files: a file glob, matched and read by Beam's fileio on the
//     workers (any Beam file system: local paths, gs://, s3://);
//   - Shards: parquet files in the Hugging Face `datasets` layout, or a
//     Hub data set (hf:OWNER/NAME), each read by package dataset as
//     `alexnet eval` reads it, one shard per element;
//   - Indexed: a labelled data set whose samples can be read by index
//     (Tiny ImageNet, ImageFolder, the ImageNet validation layout),
//     split into ranges of indices.
//
// Each reshuffles its work before reading so that a runner spreads the
// reads (and the forward passes fused after them) over its workers.
package read
