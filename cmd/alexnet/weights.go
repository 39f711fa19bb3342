package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/alexnet-go/alexnet/predict"
	"github.com/alexnet-go/alexnet/quant"
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
		Short: "List the tensors of a weights file; for .onnx, the graph as our layer table first",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return weightsInfo(cmd.OutOrStdout(), args[0])
		},
	}
}

// weightsInfo prints the name, shape and size of each tensor of the
// weights file at path, and their total size; for an ONNX file, first
// what its graph was read as (onnxInfo).
func weightsInfo(out io.Writer, path string) error {
	sd, err := weights.Load(path, nil)
	if err != nil {
		return err
	}
	if sd.Metadata[weights.MetaOpset] != "" {
		if err := onnxInfo(out, sd); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
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

// onnxInfo prints what an ONNX file's graph was read as: its opset, the
// architecture and preprocessing, and the model's layer table.
func onnxInfo(out io.Writer, sd *weights.StateDict) error {
	p, err := predict.FromStateDict(predict.FileArch("", sd), sd, 1)
	if err != nil {
		return err
	}
	meta, t := sd.Metadata, p.Transform
	fmt.Fprintf(out, "ONNX opset %s, read as architecture %s", meta[weights.MetaOpset], p.Arch)
	if k := meta[weights.MetaLRNBias]; k != "" {
		fmt.Fprintf(out, " (LRN bias %s)", k)
	}
	if p.Model.Config().CeilPool {
		fmt.Fprint(out, ", its max pools rounding up (Caffe's pooling, ceil_mode)")
	}
	fmt.Fprintf(out, "\npreprocessing: Resize(%d), CenterCrop(%d), Normalize(mean %v, std %v)", t.ResizeSize, t.CropSize, t.Mean, t.Std)
	if meta[weights.MetaLayout] == "caffe" {
		fmt.Fprint(out, ": Caffe's layout, BGR pixels in 0..255 minus 104, 117, 123 (the BGR order is folded into features.0's weights)")
	}
	if meta[weights.MetaOutput] == "softmax" {
		fmt.Fprint(out, "\noutput: the graph ends in Softmax; logits here are its input")
	}
	fmt.Fprint(out, "\n\n")
	if err := printLayers(out, p.Arch, p.Model); err != nil {
		return err
	}
	fmt.Fprintln(out)
	return nil
}

func weightsConvertCmd() *cobra.Command {
	var arch string
	cmd := &cobra.Command{
		Use:   "convert IN OUT",
		Short: "Convert weights between .pth, .safetensors and .onnx (by OUT's extension)",
		Long: `Convert weights between .pth, .safetensors and .onnx, by OUT's extension.
An .onnx OUT is the whole model (weights.WriteONNX): the graph of the file's
architecture (or --arch), a dynamic batch, the input size and preprocessing
recorded in its metadata; ONNX Runtime runs it.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return weightsConvert(archFlag(cmd, arch), args[0], args[1])
		},
	}
	addArchFlag(cmd.Flags(), &arch)
	return cmd
}

// weightsConvert writes the tensors of the weights file in to out, in
// the format out's extension names; arch "" is the file's.
func weightsConvert(arch, in, out string) error {
	sd, err := weights.Load(in, nil)
	if err != nil {
		return err
	}
	if !strings.EqualFold(filepath.Ext(out), ".onnx") {
		return weights.Save(out, sd)
	}
	if sd.Metadata[quant.MetaKey] != "" {
		return exportInt8(arch, in, out)
	}
	p, err := predict.FromStateDict(predict.FileArch(arch, sd), sd, 1)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	return weights.SaveONNX(out, sd, onnxExport(p))
}

// onnxExport describes p's model for weights.WriteONNX.
func onnxExport(p *predict.Predictor) weights.ONNXExport {
	cfg := p.Model.Config()
	return weights.ONNXExport{Arch: p.Arch, InputSize: cfg.InputSize, LRNBias: cfg.LRNBias, CeilPool: cfg.CeilPool,
		Mean: p.Transform.Mean, Std: p.Transform.Std}
}

// exportInt8 writes the int8 model of `alexnet quantize` at in to out as
// ONNX in the QDQ format (weights.ONNXExport.Int8).
func exportInt8(arch, in, out string) error {
	p, err := predict.LoadInt8(arch, in, 1)
	if err != nil {
		return err
	}
	q, err := quant.Load(in)
	if err != nil {
		return err
	}
	e := onnxExport(p)
	e.Int8 = map[string]weights.QDQLayer{}
	for _, l := range q.Layers {
		if l.Input.Range != quant.Uint8 {
			return fmt.Errorf("%s: layer %s quantizes its input to [%d, %d]; ONNX's QuantizeLinear to uint8 has [0, 255]", in, l.Name, l.Input.QMin, l.Input.QMax)
		}
		e.Int8[l.Name] = weights.QDQLayer{Shape: l.Shape, Weight: l.Weight, WeightScale: l.WeightScale, Bias: l.Bias,
			InputScale: l.Input.Scale, InputZero: uint8(l.Input.ZeroPoint)}
	}
	return weights.SaveONNX(out, nil, e)
}
