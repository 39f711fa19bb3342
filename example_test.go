package alexnet_test

import (
	"context"
	"fmt"
	"image"
	_ "image/png" // image.Decode reads PNG
	"log"
	"os"

	"github.com/alexnet-go/alexnet"
)

// This example loads a weights file and prints the top-5 classes of an
// image.Image, here a PNG decoded by the standard library. The weights
// are a narrow test model (torchvision's layout with 8-16-16-16-16
// filters and seeded random weights, from testdata/gen/classify.py), so
// every probability is near 1/1000. The expected lines are PyTorch's
// top-5 for this image, from testdata/classify/tv_logits.npy: the
// indices of its five largest logits, their ImageNet names and their
// softmax probabilities, printed by Class.String.
func Example() {
	f, err := os.Open("testdata/imageproc/png_rgba.png")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		log.Fatal(err)
	}

	c, err := alexnet.New(context.Background(), &alexnet.Options{Weights: "testdata/classify/tv_narrow.pth"})
	if err != nil {
		log.Fatal(err)
	}
	top, err := c.Classify(context.Background(), img) // img is any image.Image
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(top)
	// Output: [maraca (641) 0.13% dugong (149) 0.13% ladle (618) 0.13% bathtub (435) 0.13% sewing machine (786) 0.12%]
}
