package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/alexnet-go/alexnet/dataset"
	"github.com/alexnet-go/alexnet/eval"
	"github.com/alexnet-go/alexnet/predict"
)

type evalFlags struct {
	data, split, weights, arch, tta, precision string
	predictions, report                        string
	batch, limit, resize, crop                 int
	classes                                    []string
	restrict, json, strict, offline            bool
}

func evalCmd() *cobra.Command {
	var f evalFlags
	cmd := &cobra.Command{
		Use:   "eval --data PATH|hf:REPO [flags]",
		Short: "Measure top-1 and top-5 accuracy on a labelled data set",
		Long: `Classify every image of a labelled data set as classify does and print
top-1 and top-5 accuracy and error, images/s (encoded bytes to predictions)
and the worst and best classes.

--data is a Tiny ImageNet root, a folder of class folders (ImageFolder), an
ImageNet validation folder with its labels file, .parquet files, or
hf:OWNER/NAME for a Hugging Face Hub data set (downloaded into the cache).
Its classes map to ImageNet-1k by wnid; classes that do not map are listed
and their images counted as unmapped. Accuracy is over the images that were
classified and whose class maps: top-1 when the label is the argmax, top-5
when it is among the five best. The argmax is over all 1000 classes, or
with --restrict over the data set's mapped classes only.

--tta tencrop is the 2012 paper's test procedure (torchvision's TenCrop):
Resize(256), the four corner crops and the centre crop and their mirrors,
softmaxes averaged. A file that cannot be read or decoded is counted, listed
and skipped (the exit status is then 1); --strict stops at the first.

--predictions writes a CSV (file,label_index,label_wnid,top1..top5, one row
per classified image, ImageNet-1k indices); --report DIR writes a
self-contained report.html and summary.json.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runEval(cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.data, "data", "", "data set: folder, .parquet file or hf:OWNER/NAME (required)")
	fl.StringVar(&f.split, "split", "", "split of the data set (val, valid, train, ...)")
	addWeightsFlag(fl, &f.weights)
	addArchFlag(fl, &f.arch)
	addPrecisionFlag(fl, &f.precision)
	fl.IntVar(&f.batch, "batch", 8, "images per forward pass")
	fl.IntVar(&f.resize, "resize", 0, "shorter side before the centre crop (0: 256, tiny 73); e.g. the --resize of `alexnet train`")
	fl.IntVar(&f.crop, "crop", 0, "side of the centre crop, the model's input (0: 224, original 227, tiny 64); e.g. the --size of `alexnet train`")
	fl.IntVar(&f.limit, "limit", 0, "evaluate only the first N images (after --classes); 0 means all")
	fl.StringSliceVar(&f.classes, "classes", nil, "only these classes: wnids, ImageNet names or folder names, comma-separated")
	fl.BoolVar(&f.restrict, "restrict", false, "take the argmax over the data set's own classes only")
	fl.StringVar(&f.tta, "tta", eval.Center, "test-time augmentation: center or tencrop")
	fl.BoolVar(&f.json, "json", false, "print the summary as one JSON object")
	fl.StringVar(&f.predictions, "predictions", "", "write per-image predictions to this CSV file")
	fl.StringVar(&f.report, "report", "", "write report.html and summary.json into this folder")
	fl.BoolVar(&f.strict, "strict", false, "stop at the first file that cannot be read or decoded")
	fl.BoolVar(&f.offline, "offline", false, "never download: Hub data sets must be cached")
	cmd.MarkFlagRequired("data")
	return cmd
}

func runEval(cmd *cobra.Command, f evalFlags) error {
	ctx := commandContext(cmd)
	stderr := cmd.ErrOrStderr()
	if f.tta != eval.Center && f.tta != eval.TenCrop {
		return fmt.Errorf("--tta %q: want %s or %s", f.tta, eval.Center, eval.TenCrop)
	}
	ds, err := dataset.Open(ctx, f.data, &dataset.Options{Split: f.split, Offline: f.offline, OnProgress: downloadBars(stderr)})
	if err != nil {
		return err
	}
	p, path, err := loadEvalPredictor(ctx, cmd, f)
	if err != nil {
		return err
	}
	opt := &eval.Options{Batch: f.batch, Limit: f.limit, Classes: f.classes, Restrict: f.restrict,
		TTA: f.tta, Strict: f.strict}
	if f.report != "" {
		opt.Examples = 4
	}
	var pf *os.File
	if f.predictions != "" {
		if pf, err = os.Create(f.predictions); err != nil {
			return err
		}
		defer pf.Close()
		opt.Predictions = pf
	}
	finish := evalProgress(stderr, opt)
	s, err := eval.Run(ctx, p, ds, opt)
	finish()
	if errors.Is(err, eval.ErrNoMappedClasses) {
		return fmt.Errorf("--restrict: %w", err)
	}
	if err != nil {
		return err
	}
	if pf != nil {
		if err := pf.Close(); err != nil {
			return fmt.Errorf("--predictions: %w", err)
		}
	}
	s.Data, s.Split, s.Weights = f.data, f.split, path
	return writeEvalResults(cmd, f, s)
}

// loadEvalPredictor loads the model of --arch and --weights with the
// preprocessing of --resize and --crop; it returns the weights' path too.
func loadEvalPredictor(ctx context.Context, cmd *cobra.Command, f evalFlags) (*predict.Predictor, string, error) {
	path, err := resolveWeights(ctx, f.arch, f.weights, cmd.ErrOrStderr())
	if err != nil {
		return nil, "", err
	}
	p, err := loadPredictor(archFlag(cmd, f.arch), path, f.precision, threadsFlag(cmd))
	if err != nil {
		return nil, "", err
	}
	if f.resize > 0 {
		p.Transform.ResizeSize = f.resize
	}
	if f.crop > 0 {
		p.Transform.CropSize = f.crop
	}
	return p, path, nil
}

// writeEvalResults writes the --report folder and prints s as text or
// --json; when images failed it says how many on stderr and returns
// errReported.
func writeEvalResults(cmd *cobra.Command, f evalFlags, s *eval.Summary) error {
	if f.report != "" {
		if err := eval.WriteReport(f.report, s); err != nil {
			return fmt.Errorf("--report: %w", err)
		}
	}
	out := cmd.OutOrStdout()
	var err error
	if f.json {
		err = eval.WriteJSON(out, s)
	} else {
		err = eval.WriteText(out, s)
	}
	if err != nil {
		return err
	}
	return imagesFailed(cmd, len(s.Errors), s.Images)
}
