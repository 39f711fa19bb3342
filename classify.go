package alexnet

import (
	"context"
	"fmt"
	"image"

	"github.com/alexnet-go/alexnet/imageproc"
	"github.com/alexnet-go/alexnet/predict"
	"github.com/alexnet-go/alexnet/tensor"
)

// Class is one entry of a top-k answer.
type Class struct {
	Index int     `json:"index"` // the class's index in the model's logits
	Label string  `json:"label"` // its name: Classifier.Classes()[Index]
	Prob  float32 `json:"prob"`  // its softmax probability
}

// String formats c as its label, index and probability in percent:
// "tabby (281) 41.52%".
func (c Class) String() string { return fmt.Sprintf("%s (%d) %.2f%%", c.Label, c.Index, 100*c.Prob) }

// ErrNoPixels is the error (in an *ImageError) for an image 0 pixels wide
// or high: imageproc's.
var ErrNoPixels = imageproc.ErrNoPixels

// ImageError reports an image that could not be classified: Index is its
// position in ClassifyBatch's slice (0 for Classify and ClassifyBytes),
// Err is ErrNoPixels or the decoder's error (*imageproc.EmptyFileError,
// *imageproc.UnknownFormatError, *imageproc.DecodeError).
type ImageError struct {
	Index int
	Err   error
}

// Error implements error.
func (e *ImageError) Error() string { return fmt.Sprintf("alexnet: image %d: %v", e.Index, e.Err) }

// Unwrap returns e.Err.
func (e *ImageError) Unwrap() error { return e.Err }

// Classify returns img's top classes, best first (Options.TopK of them).
// img is converted to RGB with PIL's convert("RGB") rules for the Go type
// that holds the pixels PIL's mode would (imageproc.FromImage): decode a
// file with ClassifyBytes to get PIL's pixels from its bytes.
func (c *Classifier) Classify(ctx context.Context, img image.Image) ([]Class, error) {
	top, err := c.ClassifyBatch(ctx, []image.Image{img})
	if err != nil {
		return nil, err
	}
	return top[0], nil
}

// ClassifyBytes decodes an encoded image (JPEG, PNG, GIF, BMP, WebP or
// TIFF, told apart by content) as PIL does and returns its top classes.
func (c *Classifier) ClassifyBytes(ctx context.Context, data []byte) ([]Class, error) {
	img, err := imageproc.DecodeBytes(data, "")
	if err != nil {
		return nil, &ImageError{Err: err}
	}
	x, err := c.input(img, 0)
	if err != nil {
		return nil, err
	}
	top, err := c.forward(ctx, []*tensor.Tensor{x})
	if err != nil {
		return nil, err
	}
	return top[0], nil
}

// ClassifyBatch returns the top classes of each image, in order, from one
// forward pass over them all: faster per image than as many Classify
// calls. An image that cannot be preprocessed fails the whole batch with
// an *ImageError naming it.
func (c *Classifier) ClassifyBatch(ctx context.Context, imgs []image.Image) ([][]Class, error) {
	if len(imgs) == 0 {
		return [][]Class{}, nil
	}
	xs := make([]*tensor.Tensor, len(imgs))
	for i, img := range imgs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if img == nil {
			return nil, &ImageError{Index: i, Err: ErrNoPixels}
		}
		x, err := c.input(imageproc.FromImage(img), i)
		if err != nil {
			return nil, err
		}
		xs[i] = x
	}
	return c.forward(ctx, xs)
}

// input preprocesses the i'th image, which it then recycles.
func (c *Classifier) input(img *imageproc.RGB, i int) (*tensor.Tensor, error) {
	x, err := imageproc.Preprocess(img, c.pred.Transform)
	imageproc.Recycle(img)
	if err != nil {
		return nil, &ImageError{Index: i, Err: err}
	}
	return x, nil
}

// forward runs the inputs as one batch on a free replica and returns each
// row's top classes.
func (c *Classifier) forward(ctx context.Context, xs []*tensor.Tensor) ([][]Class, error) {
	x, err := tensor.Stack(xs)
	if err != nil {
		return nil, err
	}
	var p *predict.Predictor
	select {
	case p = <-c.free:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	logits, err := p.Model.ForwardContext(ctx, x)
	c.free <- p
	if err != nil {
		return nil, err
	}
	out := make([][]Class, len(xs))
	for i := range out {
		for _, t := range c.pred.TopK(logits.Row(i).Data, c.topK) {
			out[i] = append(out[i], Class(t))
		}
	}
	return out, nil
}
