package read

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/fileio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/alexnet-go/alexnet/dataset"
	"github.com/alexnet-go/alexnet/pipeline/elem"
)

func init() {
	register.DoFn4x1[context.Context, string, func(elem.Image), func(elem.Failure), error](&readShardFn{})
	register.Function1x1[fileio.FileMetadata, string](metadataPath)
}

// IsShards reports whether input names parquet shards or a Hub data set
// (read with Shards) rather than image files (read with Files).
func IsShards(input string) bool {
	return strings.HasPrefix(input, "hf:") || strings.HasSuffix(strings.ToLower(input), ".parquet")
}

// Shards returns the images of a Hub data set ("hf:OWNER/NAME", split
// split; downloaded into the cache of the worker that reads it) or of
// the parquet files a glob matches, one file per element, and the dead
// letters of the rows that cannot be read. A row's name is its
// image.path when set, else "<file>#<row>"; its label the data set's.
func Shards(s beam.Scope, input, split string) (images, failures beam.PCollection) {
	s = s.Scope("read.Shards")
	var specs beam.PCollection
	if strings.HasPrefix(input, "hf:") {
		specs = beam.Create(s, input)
	} else {
		specs = beam.ParDo(s, metadataPath, fileio.MatchFiles(s, input))
	}
	specs = beam.Reshuffle(s, specs)
	images, failures = beam.ParDo2(s, &readShardFn{Split: split}, specs)
	// A shard holds many images: spread them over the workers.
	return beam.Reshuffle(s, images), failures
}

// metadataPath is the path of a matched file.
func metadataPath(m fileio.FileMetadata) string { return m.Path }

// readShardFn streams the rows of one data set spec (dataset.Open).
type readShardFn struct {
	Split string
}

func (fn *readShardFn) ProcessElement(ctx context.Context, spec string, emit func(elem.Image), fail func(elem.Failure)) error {
	ds, err := dataset.Open(ctx, spec, &dataset.Options{Split: fn.Split})
	if err != nil {
		return fmt.Errorf("read %s: %w", spec, err)
	}
	return ds.Each(ctx, func(smp dataset.Sample) error {
		emitSample(ctx, smp, emit, fail)
		return nil
	})
}

// emitSample passes on a data set sample as an image, or as a dead
// letter when it could not be read.
func emitSample(ctx context.Context, smp dataset.Sample, emit func(elem.Image), fail func(elem.Failure)) {
	if smp.Err != nil {
		countReadError(ctx)
		fail(elem.Failure{Index: int64(smp.Index), File: smp.Name, Error: smp.Err.Error()})
		return
	}
	countRead(ctx, len(smp.Data))
	emit(elem.Image{Index: int64(smp.Index), Name: smp.Name, Data: smp.Data, Label: smp.Label})
}
