package train_test

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/alexnet-go/alexnet"
	"github.com/alexnet-go/alexnet/dataset"
	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/train"
	"github.com/alexnet-go/alexnet/train/trainplot"
)

// This example trains a small AlexNet (torchvision's layout, 8 filters
// per convolution) for one epoch on an ImageFolder of eight generated
// 72×80 images in two classes, with the paper's augmentation at 64×64,
// lists the files Run wrote, then loads the weights it saved, with the
// class names beside them, as a classifier. One epoch of eight images in
// batches of four is two SGD steps.
func ExampleRun() {
	data, err := os.MkdirTemp("", "train-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(data)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 8 {
		class := []string{"blue", "red"}[i%2]
		img := image.NewNRGBA(image.Rect(0, 0, 72, 80))
		for j := 0; j < len(img.Pix); j += 4 {
			v := uint8(rng.IntN(96))
			img.Pix[j], img.Pix[j+1], img.Pix[j+2], img.Pix[j+3] = v, v, v, 255
			img.Pix[j+2-2*(i%2)] += 128 // the blue channel for "blue", red for "red"
		}
		if err := writePNG(filepath.Join(data, class, fmt.Sprintf("%d.png", i)), img); err != nil {
			log.Fatal(err)
		}
	}

	ctx := context.Background()
	ds, err := dataset.Open(ctx, data, nil)
	if err != nil {
		log.Fatal(err)
	}
	samples, err := train.NewSamples(ctx, ds)
	if err != nil {
		log.Fatal(err)
	}
	m, err := model.New(model.Config{Arch: model.ArchTorchvision, Channels: [5]int{8, 8, 8, 8, 8}, Hidden: 16,
		NumClasses: len(samples.Classes), InputSize: 64, Threads: 1})
	if err != nil {
		log.Fatal(err)
	}
	train.InitTorchvision(m, rand.New(rand.NewPCG(3, 4)))
	out := filepath.Join(data, "run")
	res, err := train.Run(ctx, &train.Config{Model: m, Opt: &train.SGD{LR: 0.01, Momentum: 0.9}, Train: samples,
		Aug: train.PaperAugment(72, 64), Epochs: 1, Batch: 4, Workers: 2, Seed: 5, Dir: out,
		Plot: func(c *train.Curves) error { return trainplot.WritePNG(filepath.Join(out, "curves.png"), c) }})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("steps:", res.Steps)
	files, err := os.ReadDir(out)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range files {
		fmt.Println(f.Name())
	}

	// Run wrote classes.txt beside the weights; New reads it.
	c, err := alexnet.New(ctx, &alexnet.Options{Weights: filepath.Join(out, "model.pth")})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("classes:", c.Classes())
	// Output:
	// steps: 2
	// checkpoint.safetensors
	// classes.txt
	// curves.png
	// epochs.csv
	// model.pth
	// model.safetensors
	// steps.csv
	// classes: [blue red]
}

// writePNG encodes img to a new file at path, making its folder.
func writePNG(path string, img image.Image) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
