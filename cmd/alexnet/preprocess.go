package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/alexnet-go/alexnet/imageproc"
	"github.com/alexnet-go/alexnet/internal/npy"
	"github.com/alexnet-go/alexnet/model"
)

func preprocessCmd() *cobra.Command {
	var out, arch string
	cmd := &cobra.Command{
		Use:   "preprocess IMAGE -o OUT.npy",
		Short: "Write the normalized input tensor of an image as a NumPy .npy file",
		Long: `Write the (3,224,224) float32 tensor that torchvision's
Resize(256), CenterCrop(224), ToTensor, Normalize make of the image
(227x227 with --arch original), as a NumPy .npy file for checking against
PyTorch.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return fmt.Errorf("preprocess: -o OUT.npy is required")
			}
			cfg, err := model.ConfigFor(arch)
			if err != nil {
				return err
			}
			opt := imageproc.DefaultOptions()
			opt.CropSize = cfg.InputSize
			x, err := imageproc.PreprocessFile(args[0], opt)
			if err != nil {
				return err
			}
			f, err := os.Create(out)
			if err != nil {
				return err
			}
			if err := npy.WriteF32(f, x.Shape, x.Data); err != nil {
				f.Close()
				return fmt.Errorf("%s: %w", out, err)
			}
			return f.Close()
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "output .npy file")
	cmd.Flags().StringVar(&arch, "arch", "torchvision", "architecture whose input size to use: torchvision (224) or original (227)")
	return cmd
}
