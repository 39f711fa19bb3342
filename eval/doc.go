// Package eval measures an ImageNet classifier's accuracy on a labelled
// data set: it streams the samples through predict.Predictor.RunSource
// (decoding on a pool of workers that overlaps the forward passes), maps
// the data set's classes to ImageNet-1k indices by WordNet id, and tallies
// top-1 and top-5 accuracy overall and per class, the most confused class
// pairs, and the files that could not be classified. WriteText, WriteJSON
// and WriteReport present the Summary; a predictions CSV can be written
// as the results arrive.
//
// Accuracy is over the samples that were classified successfully and
// whose class maps to an ImageNet-1k index: unreadable or undecodable
// samples, unlabelled ones and those of unmapped classes are counted and
// reported but are not in the denominator.
package eval
