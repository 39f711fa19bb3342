package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/alexnet-go/alexnet/tensor"
	"github.com/alexnet-go/alexnet/weights"
)

// resolveWeights finds the weights file for arch: the flag, then
// $ALEXNET_WEIGHTS, then the caches, then (torchvision only) a download.
func resolveWeights(ctx context.Context, arch, flag string, progress io.Writer) (string, error) {
	if arch != "torchvision" {
		if flag == "" {
			flag = os.Getenv("ALEXNET_WEIGHTS")
		}
		if flag == "" {
			return "", fmt.Errorf("--arch %s has no published weights: pass --weights FILE (or set $ALEXNET_WEIGHTS)", arch)
		}
		return flag, nil
	}
	return weights.Resolve(ctx, flag, &weights.ResolveOptions{OnProgress: fileBar(progress, weights.OfficialFile), Explicit: "the --weights flag"})
}

func weightsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "weights",
		Short: "Download, locate, inspect and convert weights files",
	}
	cmd.AddCommand(weightsDownloadCmd(), weightsPathCmd(), weightsInfoCmd(), weightsConvertCmd())
	return cmd
}

func weightsDownloadCmd() *cobra.Command {
	var url, prefix, dir string
	cmd := &cobra.Command{
		Use:   "download",
		Short: "Download torchvision's pretrained AlexNet into the cache",
		Long: `Download alexnet-owt-7be5be79.pth (torchvision's pretrained AlexNet),
check that its SHA-256 starts with 7be5be79, and write it atomically into the
cache: $ALEXNET_HOME, else the user cache dir (~/.cache/alexnet on Linux).
A copy already in torch's cache ($TORCH_HOME/hub/checkpoints or
~/.cache/torch/hub/checkpoints) or ours is reused. With --dir, the file is
downloaded into that folder instead.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dir == "" {
				path, err := weights.Resolve(cmd.Context(), "", &weights.ResolveOptions{
					URL: url, SHA256Prefix: prefix, OnProgress: fileBar(cmd.ErrOrStderr(), path.Base(url)),
				})
				if err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), path)
				return nil
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			dst := filepath.Join(dir, path.Base(url))
			if err := weights.Download(cmd.Context(), url, dst, prefix, &weights.DownloadOptions{OnProgress: fileBar(cmd.ErrOrStderr(), path.Base(url))}); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), dst)
			return nil
		},
	}
	cmd.Flags().StringVar(&url, "url", weights.OfficialURL, "where to download from")
	cmd.Flags().StringVar(&prefix, "sha256", weights.OfficialSHA256Prefix, "expected SHA-256 prefix of the file")
	cmd.Flags().StringVar(&dir, "dir", "", "destination folder (default: the cache)")
	return cmd
}

func weightsPathCmd() *cobra.Command {
	var flag string
	cmd := &cobra.Command{
		Use:   "path",
		Short: "Print the weights file that commands would use (no download)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := weights.Resolve(cmd.Context(), flag, &weights.ResolveOptions{Offline: true, Explicit: "the --weights flag"})
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), p)
			return nil
		},
	}
	addWeightsFlag(cmd.Flags(), &flag)
	return cmd
}

func weightsInfoCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "info FILE",
		Short: "List the tensors of a .pth or .safetensors file",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return weightsInfo(cmd.OutOrStdout(), args[0])
		},
	}
}

// weightsInfo prints the name, shape and size of each tensor of the
// weights file at path, and their total size.
func weightsInfo(out io.Writer, path string) error {
	sd, err := weights.Load(path, nil)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	var total int
	for _, name := range sd.Names {
		t := sd.Tensors[name]
		fmt.Fprintf(w, "%s\t%s\t%d\n", name, tensor.ShapeString(t.Shape), t.Len())
		total += t.Len()
	}
	fmt.Fprintf(w, "total\t\t%d\n", total)
	return w.Flush()
}

func weightsConvertCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "convert IN OUT",
		Short: "Convert weights between .pth and .safetensors (by OUT's extension)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return weightsConvert(args[0], args[1])
		},
	}
}

// weightsConvert writes the tensors of the weights file in to out, in
// the format out's extension names.
func weightsConvert(in, out string) error {
	sd, err := weights.Load(in, nil)
	if err != nil {
		return err
	}
	return weights.Save(out, sd)
}
