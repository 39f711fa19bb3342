// Package alexnet classifies images with AlexNet from a Go program: one
// entry point, New, that loads a weights file, and a Classifier whose
// Classify, ClassifyBytes and ClassifyBatch return the top classes of an
// image.Image, of an encoded image (JPEG, PNG, GIF, BMP, WebP, TIFF) or of
// a batch of images in one forward pass.
//
// Every number is PyTorch's: images are decoded as PIL decodes them and
// converted with PIL's convert("RGB") rules, preprocessed as torchvision's
// ImageNet evaluation transform (Resize(256), CenterCrop(224), ToTensor,
// Normalize; CenterCrop(227) for Original, Resize(73) and CenterCrop(64)
// for Tiny and TinyBN), and run through the AlexNet variant PyTorch
// builds; probabilities are the softmax of the logits. The packages below this one (weights, imageproc,
// model, predict, eval, train, serve) hold each step for programs that
// need one of them alone.
//
// Class names come with the weights: the classes.txt that `alexnet train`
// writes beside its model (ImageNet wnids are named as ImageNet names
// them), else ImageNet-1k's names for a 1000-class model.
//
// A *Classifier is safe for concurrent use: it holds Options.Replicas
// copies of the model's activations sharing one set of weights, and each
// call takes one for its forward pass, waiting while all are busy. Every
// call honours its context, between the layers of the forward pass too.
package alexnet
