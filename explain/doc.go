// Package explain shows what an AlexNet's prediction for an image depends
// on: Grad-CAM and Grad-CAM++ maps of a layer, gradient saliency over the
// image and occlusion sensitivity (Explain), from the model's float32
// forward pass and its layers' input gradients (package nn's
// BackwardInput: no parameter gradients). Layers are named as PyTorch's
// nn.Sequential numbers them, and a convolution's output is the one before
// its ReLU, as in PyTorch, although the model fuses the ReLU into it.
//
// The package sits above model and nn and below the commands.
package explain
