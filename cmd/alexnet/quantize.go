package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/alexnet-go/alexnet/dataset"
	"github.com/alexnet-go/alexnet/imageproc"
	"github.com/alexnet-go/alexnet/predict"
	"github.com/alexnet-go/alexnet/qmodel"
	"github.com/alexnet-go/alexnet/quant"
	"github.com/alexnet-go/alexnet/tensor"
	"github.com/alexnet-go/alexnet/weights"
)

type quantizeFlags struct {
	weights, arch, calib, split, observer, out string
	calibN, batch                              int
	offline                                    bool
}

// quantizeLong is the help text of `alexnet quantize`.
const quantizeLong = `Quantize a model to int8 (package qmodel): batch norms folded into their
convolutions, each convolution's and linear layer's weights symmetric int8
per output channel, and each of their inputs an affine uint8 quantizer whose
range an observer chooses from the float32 model's activations on
--calib-n images of --calib (its --calib-split, "train" by default, taken
evenly over the data set's order), preprocessed as for evaluation.

--observer is histogram (PyTorch's HistogramObserver, its default), minmax,
percentile (99.99) or entropy (KL divergence, as TensorRT). --out is a
.safetensors file in the format package quant documents (int8 weights,
per-channel scales, float32 biases, input scales and zero points); the
model's classes.txt, when it has one, is written beside it. classify and
eval run it with --precision int8 --weights OUT.`

func quantizeCmd() *cobra.Command {
	var f quantizeFlags
	cmd := newCommand("quantize --weights W --calib DATA --out Q.safetensors [flags]",
		"Quantize a model to int8, calibrated on images of a data set", quantizeLong,
		cobra.NoArgs, func(cmd *cobra.Command, args []string) error { return runQuantize(cmd, f) })
	fl := cmd.Flags()
	addWeightsFlag(fl, &f.weights)
	addArchFlag(fl, &f.arch)
	fl.StringVar(&f.calib, "calib", "", "calibration data set: folder, .parquet file or hf:OWNER/NAME (required)")
	fl.StringVar(&f.split, "calib-split", "train", "split of the calibration data set")
	fl.IntVar(&f.calibN, "calib-n", 512, "calibration images")
	fl.StringVar(&f.observer, "observer", "histogram", "activation observer: histogram, minmax, percentile or entropy")
	fl.IntVar(&f.batch, "batch", 64, "images per calibration forward pass")
	fl.StringVar(&f.out, "out", "", "quantized model to write (.safetensors, required)")
	fl.BoolVar(&f.offline, "offline", false, "never download: Hub data sets must be cached")
	cmd.MarkFlagRequired("calib")
	cmd.MarkFlagRequired("out")
	return cmd
}

func runQuantize(cmd *cobra.Command, f quantizeFlags) error {
	ctx := commandContext(cmd)
	stderr := cmd.ErrOrStderr()
	if !strings.HasSuffix(f.out, ".safetensors") {
		return fmt.Errorf("--out %q: want a .safetensors file", f.out)
	}
	path, err := resolveWeights(ctx, f.arch, f.weights, stderr)
	if err != nil {
		return err
	}
	p, err := predict.Load(archFlag(cmd, f.arch), path, threadsFlag(cmd))
	if err != nil {
		return err
	}
	ds, err := dataset.Open(ctx, f.calib, &dataset.Options{Split: f.split, Offline: f.offline, OnProgress: downloadBars(stderr)})
	if err != nil {
		return err
	}
	samples, err := dataset.Evenly(ctx, ds, f.calibN)
	if err != nil {
		return err
	}
	t0 := time.Now()
	qm, err := qmodel.Calibrate(ctx, p.Model, calibrationBatches(p.Transform, samples, f.batch, stderr), qmodel.Options{Observer: f.observer})
	if err != nil {
		return err
	}
	if err := quant.Save(f.out, qm); err != nil {
		return err
	}
	if p.Classes != nil { // for alexnet eval/classify --precision int8
		if err := weights.WriteClasses(filepath.Dir(f.out), p.Classes); err != nil {
			return err
		}
	}
	fmt.Fprintf(cmd.OutOrStdout(), "quantized %s (%d layers) on %d images of %s with %s in %.1f s: %s\n",
		path, len(qm.Layers), len(samples), ds.Name(), f.observer, time.Since(t0).Seconds(), f.out)
	return nil
}

// calibrationBatches decodes and preprocesses the samples with tf in
// batches of batch images, drawing a bar on w when it is a terminal. An
// image that cannot be read or decoded stops the calibration with its
// error (it names the file).
func calibrationBatches(tf *imageproc.Options, samples []dataset.Sample, batch int, w io.Writer) qmodel.Batches {
	var bar *progressbar.ProgressBar
	if isTerminal(w) {
		bar = progressbar.NewOptions(len(samples), progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("calibrate"), progressbar.OptionShowCount(),
			progressbar.OptionClearOnFinish())
	}
	return qmodel.BatchesOf(len(samples), batch, func(lo, hi int) (*tensor.Tensor, error) {
		x, err := calibrationBatch(tf, samples[lo:hi])
		if err == nil && bar != nil {
			bar.Add(hi - lo)
		}
		return x, err
	})
}

// calibrationBatch preprocesses samples into one (N,3,H,W) batch.
func calibrationBatch(tf *imageproc.Options, samples []dataset.Sample) (*tensor.Tensor, error) {
	xs := make([]*tensor.Tensor, len(samples))
	for i, s := range samples {
		if s.Err != nil {
			return nil, s.Err
		}
		img, err := imageproc.DecodeBytes(s.Data, s.Name)
		if err != nil {
			return nil, err
		}
		if xs[i], err = imageproc.Preprocess(img, tf); err != nil {
			return nil, imageproc.WithName(err, s.Name)
		}
		imageproc.Recycle(img)
	}
	return tensor.Stack(xs)
}
