package dataset

import "os"

// Indexed is a Dataset whose samples can be read in any order, as
// training's shuffled epochs need. The folder layouts (Tiny ImageNet,
// ImageFolder, ImageNet validation) implement it; parquet data sets do
// not (read them once with Each).
type Indexed interface {
	Dataset
	// LabelAt returns sample i's label without reading the image.
	LabelAt(i int) int
	// At reads sample i (Err set when the file cannot be read). It is
	// safe for concurrent use.
	At(i int) Sample
}

// LabelAt implements Indexed.
func (d *fileSet) LabelAt(i int) int { return d.labels[i] }

// At implements Indexed.
func (d *fileSet) At(i int) Sample {
	p := d.paths[i]
	s := Sample{Index: i, Name: p, Label: d.labels[i]}
	b, err := os.ReadFile(p)
	if err != nil {
		s.Err = &SampleError{Name: p, Err: err}
	} else {
		s.Data = b
	}
	return s
}
