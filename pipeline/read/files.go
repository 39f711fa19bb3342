package read

import (
	"context"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/fileio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/alexnet-go/alexnet/pipeline/elem"
)

func init() {
	register.DoFn4x0[context.Context, fileio.ReadableFile, func(elem.Image), func(elem.Failure)](&readFileFn{})
	register.Emitter1[elem.Image]()
	register.Emitter1[elem.Failure]()
}

// Files returns the images of the files that glob matches (as Go's
// filepath.Match, on any Beam file system) and the dead letters of
// those that cannot be read. A glob without wildcards that matches
// nothing is an error of the pipeline; one with wildcards gives no
// images. Files are read as they are (a .gz is not uncompressed).
func Files(s beam.Scope, glob string) (images, failures beam.PCollection) {
	s = s.Scope("read.Files")
	matched := fileio.MatchFiles(s, glob)
	matched = beam.Reshuffle(s, matched)
	files := fileio.ReadMatches(s, matched, fileio.ReadUncompressed())
	return beam.ParDo2(s, &readFileFn{}, files)
}

// readFileFn reads one matched file whole.
type readFileFn struct{}

func (fn *readFileFn) ProcessElement(ctx context.Context, f fileio.ReadableFile, emit func(elem.Image), fail func(elem.Failure)) {
	data, err := f.Read(ctx)
	if err != nil {
		countReadError(ctx)
		fail(elem.Failure{Index: elem.NoIndex, File: f.Metadata.Path, Error: err.Error()})
		return
	}
	countRead(ctx, len(data))
	emit(elem.Image{Index: elem.NoIndex, Name: f.Metadata.Path, Data: data, Label: -1})
}
