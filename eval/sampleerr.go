package eval

import (
	"errors"

	"github.com/alexnet-go/alexnet/dataset"
	"github.com/alexnet-go/alexnet/imageproc"
)

// namesSample reports whether err already names the sample name: a
// decoding error in an *imageproc.FileError, or a read error in a
// *dataset.SampleError, for that name.
func namesSample(err error, name string) bool {
	var fe *imageproc.FileError
	var se *dataset.SampleError
	return errors.As(err, &fe) && fe.Name == name || errors.As(err, &se) && se.Name == name
}
