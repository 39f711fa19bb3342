package alexnet_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/alexnet-go/alexnet"
)

// This example classifies encoded images of several formats (JPEG in
// 4:2:0, progressive 4:2:2, grayscale and CMYK; PNG with alpha and
// without; GIF),
// decoded from their bytes as PIL decodes them, and prints each one's
// best class. The expected lines are PyTorch's: the largest logit of each
// image in testdata/classify/tv_logits.npy.
func ExampleClassifier_ClassifyBytes() {
	c, err := alexnet.New(context.Background(), &alexnet.Options{Weights: "testdata/classify/tv_narrow.pth", TopK: 1})
	if err != nil {
		log.Fatal(err)
	}
	list, err := os.ReadFile("testdata/classify/images.txt")
	if err != nil {
		log.Fatal(err)
	}
	for _, name := range strings.Fields(string(list)) {
		data, err := os.ReadFile(name)
		if err != nil {
			log.Fatal(err)
		}
		top, err := c.ClassifyBytes(context.Background(), data)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %d %s\n", name, top[0].Index, top[0].Label)
	}
	// Output:
	// testdata/imageproc/jpeg_420.jpg: 641 maraca
	// testdata/imageproc/jpeg_422_prog.jpg: 641 maraca
	// testdata/imageproc/jpeg_l.jpg: 641 maraca
	// testdata/imageproc/jpeg_cmyk.jpg: 641 maraca
	// testdata/imageproc/png_rgba.png: 641 maraca
	// testdata/imageproc/gif_p.gif: 641 maraca
	// testdata/imageproc/resize_301x271.png: 641 maraca
}
