package eval_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/alexnet-go/alexnet/dataset"
	"github.com/alexnet-go/alexnet/eval"
	"github.com/alexnet-go/alexnet/imagenet"
	"github.com/alexnet-go/alexnet/predict"
)

// This example scores a model on an ImageFolder (one folder per class,
// named by its ImageNet wnid) of six test images: four in maraca's folder
// and two in dugong's. The model is the narrow torchvision fixture of
// testdata/gen/classify.py; the expected counts are what PyTorch's logits
// for these images (testdata/classify/tv_logits.npy) give: maraca first
// for all six, dugong second.
func ExampleRun() {
	root, err := imageFolder("../testdata/imageproc", map[int][]string{
		641: {"jpeg_420.jpg", "jpeg_422_prog.jpg", "jpeg_l.jpg", "jpeg_cmyk.jpg"},
		149: {"png_rgba.png", "resize_301x271.png"},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(root)

	ctx := context.Background()
	ds, err := dataset.Open(ctx, root, nil)
	if err != nil {
		log.Fatal(err)
	}
	p, err := predict.Load("torchvision", "../testdata/classify/tv_narrow.pth", 2)
	if err != nil {
		log.Fatal(err)
	}
	s, err := eval.Run(ctx, p, ds, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d images, %d scored: top-1 %d, top-5 %d\n", s.Images, s.Scored, s.Top1Correct, s.Top5Correct)
	for _, c := range s.PerClass {
		fmt.Printf("%s %s: %d images, top-1 %d, top-5 %d\n", c.WNID, c.Name, c.Images, c.Top1Correct, c.Top5Correct)
	}
	// Output:
	// 6 images, 6 scored: top-1 4, top-5 6
	// n02074367 dugong: 2 images, top-1 0, top-5 2
	// n03720891 maraca: 4 images, top-1 4, top-5 4
}

// imageFolder copies the files of src named in classes into a new
// temporary ImageFolder, in a folder per ImageNet class named by its wnid,
// and returns its root.
func imageFolder(src string, classes map[int][]string) (string, error) {
	root, err := os.MkdirTemp("", "imagefolder")
	if err != nil {
		return "", err
	}
	for class, files := range classes {
		dir := filepath.Join(root, imagenet.WNID(class))
		if err := os.Mkdir(dir, 0o755); err != nil {
			return "", err
		}
		for _, f := range files {
			data, err := os.ReadFile(filepath.Join(src, f))
			if err == nil {
				err = os.WriteFile(filepath.Join(dir, f), data, 0o644)
			}
			if err != nil {
				return "", err
			}
		}
	}
	return root, nil
}
