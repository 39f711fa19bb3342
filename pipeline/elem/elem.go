// Package elem defines the elements that flow between the pipeline's
// transforms: an encoded image, the scores the model gives it, and the
// dead letter of an input that could not be read or decoded. Each is
// registered with Beam, which encodes it between stages.
package elem

import (
	"reflect"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
)

func init() {
	beam.RegisterType(reflect.TypeOf((*Image)(nil)).Elem())
	beam.RegisterType(reflect.TypeOf((*Scores)(nil)).Elem())
	beam.RegisterType(reflect.TypeOf((*Failure)(nil)).Elem())
	beam.RegisterType(reflect.TypeOf((*Line)(nil)).Elem())
}

// NoIndex is the Index of an input whose position is not known (a file
// matched by a glob: the output is ordered by file name instead).
const NoIndex = -1

// Image is one encoded image (JPEG, PNG, ...) to classify.
type Image struct {
	Index int64  // position in the data set's order, or NoIndex
	Name  string // the file's path, or a parquet row's name ("<file>#<row>")
	Data  []byte // the encoded image
	Label int    // the data set's class; -1 when unlabelled
}

// Scores is the model's answer for one image: its logits, or with
// ten-crop test-time augmentation the mean of the ten crops'
// probabilities.
type Scores struct {
	Index  int64
	Name   string
	Label  int
	Scores []float32
}

// Failure is the dead letter of an input that could not be read or
// decoded. As JSON it is the line `alexnet classify --json` prints for
// such a file: {"file": ..., "error": ...}.
type Failure struct {
	Index int64  `json:"-"`
	File  string `json:"file"`
	Error string `json:"error"`
}

// Line is one row of an output file: Text, a JSON object without its
// newline, sorted within its file by Key (the image's name).
type Line struct {
	Key  string
	Text string
}
