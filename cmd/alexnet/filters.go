package main

import (
	"fmt"
	"image/png"
	"io"

	"github.com/spf13/cobra"

	"github.com/alexnet-go/alexnet/explain"
	"github.com/alexnet-go/alexnet/explain/grid"
	"github.com/alexnet-go/alexnet/imageproc"
	"github.com/alexnet-go/alexnet/nn"
	"github.com/alexnet-go/alexnet/predict"
	"github.com/alexnet-go/alexnet/tensor"
)

type filtersFlags struct {
	weights, arch, layer, out, activations string
	scale                                  int
}

func filtersCmd() *cobra.Command {
	var f filtersFlags
	cmd := newCommand("filters [flags]", "Draw the first layer's filters, or a layer's feature maps for an image",
		`Draw the filters of --layer (a convolution with 3 input channels: the first
layer, as figure 3 of the 2012 paper shows its 96 11×11×3 filters), each
scaled to its own range, as a grid in the PNG --out. With --activations
IMAGE, draw instead the feature maps of --layer (any layer, named as
PyTorch names it) for that image, preprocessed as classify does, each map
in grey scaled to its own range.`,
		cobra.NoArgs, func(cmd *cobra.Command, _ []string) error { return runFilters(cmd, f) })
	fl := cmd.Flags()
	addWeightsFlag(fl, &f.weights)
	addArchFlag(fl, &f.arch)
	fl.StringVar(&f.layer, "layer", "features.0", "the layer, as PyTorch names it")
	fl.StringVar(&f.out, "out", "filters.png", "the PNG file to write")
	fl.StringVar(&f.activations, "activations", "", "an image whose feature maps at --layer to draw instead of the filters")
	fl.IntVar(&f.scale, "scale", 0, "pixels per weight or activation (default 4 for filters, 2 for maps)")
	return cmd
}

func runFilters(cmd *cobra.Command, f filtersFlags) error {
	path, err := resolveWeights(commandContext(cmd), f.arch, f.weights, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	p, err := predict.Load(archFlag(cmd, f.arch), path, threadsFlag(cmd))
	if err != nil {
		return err
	}
	opt := grid.Options{Scale: f.scale}
	var draw func(io.Writer) error
	if f.activations == "" {
		w, err := firstLayerWeight(p, f.layer)
		if err != nil {
			return err
		}
		img, err := grid.Filters(w, opt)
		if err != nil {
			return err
		}
		draw = func(out io.Writer) error { return png.Encode(out, img) }
	} else {
		a, err := activations(p, f.activations, f.layer)
		if err != nil {
			return err
		}
		img, err := grid.Maps(a, opt)
		if err != nil {
			return fmt.Errorf("--layer %s: %w", f.layer, err)
		}
		draw = func(out io.Writer) error { return png.Encode(out, img) }
	}
	if err := createFile(f.out, draw); err != nil {
		return err
	}
	fmt.Fprintln(cmd.OutOrStdout(), "wrote", f.out)
	return nil
}

// firstLayerWeight is the weight of p's convolution called layer, which
// must take the 3 colour channels.
func firstLayerWeight(p *predict.Predictor, layer string) (*tensor.Tensor, error) {
	var names []string
	for _, m := range p.Model.Modules() {
		c, ok := m.Layer.(*nn.Conv2d)
		if !ok {
			continue
		}
		names = append(names, m.Name)
		if m.Name == layer {
			if c.InC != 3 || c.Groups != 1 {
				return nil, fmt.Errorf("--layer %s: %d input channels; only a first layer's filters (3 channels) draw as colour images, see --activations", layer, c.InC)
			}
			return c.Weight, nil
		}
	}
	return nil, fmt.Errorf("--layer %s: not a convolution; the convolutions are %v", layer, names)
}

// activations is the output of layer for the image at path.
func activations(p *predict.Predictor, path, layer string) (*tensor.Tensor, error) {
	img, err := imageproc.DecodeFile(path)
	if err != nil {
		return nil, imageproc.WithName(err, path)
	}
	x, err := imageproc.Preprocess(img, p.Transform)
	if err != nil {
		return nil, imageproc.WithName(err, path)
	}
	a, err := explain.New(p.Model).Activations(&tensor.Tensor{Shape: append([]int{1}, x.Shape...), Data: x.Data}, layer)
	if err != nil {
		return nil, fmt.Errorf("--layer: %w", err)
	}
	return a, nil
}
