package alexnet_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/alexnet-go/alexnet"
)

// This example classifies encoded images of several formats (JPEG in
// 4:2:0, progressive 4:2:2, grayscale and CMYK; PNG with alpha and
// without; GIF), decoded from their bytes as PIL decodes them, and prints
// each one's best class, or why it has none. The expected classes are
// PyTorch's: the largest logit of each image in
// testdata/classify/tv_logits.npy.
func ExampleClassifier_ClassifyBytes() {
	ctx := context.Background()
	c, err := alexnet.New(ctx, &alexnet.Options{Weights: "testdata/classify/tv_narrow.pth", TopK: 1})
	if err != nil {
		log.Fatal(err)
	}
	for _, name := range []string{
		"jpeg_420.jpg", "jpeg_422_prog.jpg", "jpeg_l.jpg", "jpeg_cmyk.jpg",
		"png_rgba.png", "resize_301x271.png", "gif_p.gif", "../classify/images.txt",
	} {
		data, err := os.ReadFile(filepath.Join("testdata/imageproc", name))
		if err != nil {
			log.Fatal(err)
		}
		if top, err := c.ClassifyBytes(ctx, data); err != nil {
			fmt.Printf("%s: %v\n", name, err)
		} else {
			fmt.Printf("%s: %d %s\n", name, top[0].Index, top[0].Label)
		}
	}
	// Output:
	// jpeg_420.jpg: 641 maraca
	// jpeg_422_prog.jpg: 641 maraca
	// jpeg_l.jpg: 641 maraca
	// jpeg_cmyk.jpg: 641 maraca
	// png_rgba.png: 641 maraca
	// resize_301x271.png: 641 maraca
	// gif_p.gif: 641 maraca
	// ../classify/images.txt: alexnet: image 0: imageproc: unknown image format (content starts 74 65 73 74 64 61 74 61 2f 69 6d 61)
}
