// Package predict runs an AlexNet classifier end to end, as torchvision
// does: decode a file, convert to RGB, Resize(256), CenterCrop, ToTensor,
// Normalize, forward pass, softmax, top-k.
//
// A Predictor wraps a model with its weights and preprocessing; Run streams
// many files (RunSource, any stream of encoded images) through a pool of
// decoding workers that overlaps the forward passes and hands results back
// in input order, optionally with torchvision's TenCrop test-time
// augmentation. This is the layer that ties model, weights and imageproc
// together for the commands above it.
package predict
