package main

import (
	"bufio"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/alexnet-go/alexnet/predict"
)

type classifyFlags struct {
	weights, arch string
	precision     string
	top, batch    int
	json, logits  bool
}

func classifyCmd() *cobra.Command {
	var f classifyFlags
	cmd := &cobra.Command{
		Use:   "classify [flags] IMAGE...",
		Short: "Print the top-K ImageNet classes of each image",
		Long: `Classify images as torchvision does: convert to RGB, Resize(256),
CenterCrop(224; 227 for --arch original), ToTensor, Normalize, forward pass,
softmax. A file that cannot be read or decoded is reported on stderr (and in
its own JSON line with --json); the other images still get their answers and
the exit status is 1.

Weights: --weights, else $ALEXNET_WEIGHTS, else the cache ($ALEXNET_HOME or
the user cache dir), else torch's cache ($TORCH_HOME/hub/checkpoints or
~/.cache/torch/hub/checkpoints), else a download of the official torchvision
file (--arch torchvision only).`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runClassify(cmd, f, args)
		},
	}
	fl := cmd.Flags()
	addWeightsFlag(fl, &f.weights)
	addArchFlag(fl, &f.arch)
	addPrecisionFlag(fl, &f.precision)
	fl.IntVar(&f.top, "top", 5, "number of classes to print per image")
	fl.IntVar(&f.batch, "batch", 8, "images per forward pass")
	fl.BoolVar(&f.json, "json", false, "print one JSON object per image")
	fl.BoolVar(&f.logits, "logits", false, "with --json, include all logits")
	return cmd
}

type classifyLine struct {
	File   string          `json:"file"`
	Top    []predict.Class `json:"top,omitempty"`
	Logits []float32       `json:"logits,omitempty"`
	Error  string          `json:"error,omitempty"`
}

func runClassify(cmd *cobra.Command, f classifyFlags, files []string) error {
	ctx := cmd.Context()
	path, err := resolveWeights(ctx, f.arch, f.weights, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	p, err := loadPredictor(archFlag(cmd, f.arch), path, f.precision, threadsFlag(cmd))
	if err != nil {
		return err
	}
	out := bufio.NewWriter(cmd.OutOrStdout())
	defer out.Flush()
	enc := json.NewEncoder(out)
	failed := 0
	err = p.Run(ctx, files, predict.RunOptions{Batch: f.batch}, func(r predict.Result) error {
		if r.Err != nil {
			failed++
			fmt.Fprintln(cmd.ErrOrStderr(), "alexnet:", r.Err)
			if f.json {
				return enc.Encode(classifyLine{File: r.File, Error: r.Err.Error()})
			}
			return nil
		}
		top := p.TopK(r.Logits, f.top)
		if f.json {
			l := classifyLine{File: r.File, Top: top}
			if f.logits {
				l.Logits = r.Logits
			}
			return enc.Encode(l)
		}
		fmt.Fprintln(out, r.File)
		for _, c := range top {
			fmt.Fprintf(out, "  %4d  %-32s %7.3f%%\n", c.Index, c.Label, 100*c.Prob)
		}
		return nil
	})
	if err != nil {
		return err
	}
	out.Flush()
	return imagesFailed(cmd, failed, len(files))
}
