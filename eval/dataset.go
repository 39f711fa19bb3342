package eval

import "github.com/alexnet-go/alexnet/dataset"

// Sample is one labelled image of a data set (dataset.Sample).
type Sample = dataset.Sample

// Dataset is what Run reads (dataset.Dataset): samples streamed in order,
// with the data set's class ids.
type Dataset = dataset.Dataset
