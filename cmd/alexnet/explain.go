package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/alexnet-go/alexnet/explain"
	"github.com/alexnet-go/alexnet/explain/heatmap"
	"github.com/alexnet-go/alexnet/imageproc"
	"github.com/alexnet-go/alexnet/internal/npy"
	"github.com/alexnet-go/alexnet/predict"
	"github.com/alexnet-go/alexnet/quant"
	"github.com/alexnet-go/alexnet/tensor"
)

type explainFlags struct {
	weights, arch        string
	method, layer, class string
	out                  string
	patch, stride        int
	alpha                float64
	json                 bool
}

func explainCmd() *cobra.Command {
	var f explainFlags
	cmd := newCommand("explain [flags] IMAGE...", "Show what the prediction for each image depends on: Grad-CAM, saliency, occlusion",
		`Explain the model's prediction for each image, preprocessed as classify does:

  gradcam    Grad-CAM (Selvaraju et al. 2017) at --layer: the layer's output
             weighed by the spatial mean of the score's gradient, ReLU
  gradcam++  Grad-CAM++ (Chattopadhyay et al. 2018, as pytorch-grad-cam)
  saliency   |d score / d image|, max over the colour channels
  occlusion  the score's drop when a --patch square, --stride apart, is
             set to the data set's mean (Zeiler and Fergus 2014)

The score is the logit of --class (default: the top-1 class). For each
image it writes into --out: NAME.METHOD.png (the map over the photo, the
area the model sees highlighted), NAME.METHOD.crop.png (over the crop the
model sees) and NAME.METHOD.npy (the map before upsampling, float32), and
prints the top-5 classes. The gradients are float32's: an int8 model of
alexnet quantize is explained through the float32 network of its
dequantized weights (its batch norms folded), whose top-5 may differ a
little from the int8 model's.`,
		cobra.MinimumNArgs(1), func(cmd *cobra.Command, args []string) error { return runExplain(cmd, f, args) })
	fl := cmd.Flags()
	addWeightsFlag(fl, &f.weights)
	addArchFlag(fl, &f.arch)
	fl.StringVar(&f.method, "method", explain.GradCAM, "gradcam, gradcam++, saliency or occlusion")
	fl.StringVar(&f.layer, "layer", "", "Grad-CAM's layer, as PyTorch names it (default: the ReLU after the last convolution)")
	fl.StringVar(&f.class, "class", "top", "the class index to explain, or top")
	fl.StringVar(&f.out, "out", "explain-out", "folder for the PNG and .npy files")
	fl.IntVar(&f.patch, "patch", 32, "occlusion: the square's side in pixels")
	fl.IntVar(&f.stride, "stride", 16, "occlusion: the square's step in pixels")
	fl.Float64Var(&f.alpha, "alpha", 0.5, "opacity of the heat map over the photo")
	fl.BoolVar(&f.json, "json", false, "print one JSON object per image")
	return cmd
}

// explainLine is one image's answer.
type explainLine struct {
	File   string          `json:"file"`
	Method string          `json:"method,omitempty"`
	Layer  string          `json:"layer,omitempty"`
	Class  *predict.Class  `json:"class,omitempty"`
	Top    []predict.Class `json:"top,omitempty"`
	Files  []string        `json:"files,omitempty"`
	Error  string          `json:"error,omitempty"`
}

func runExplain(cmd *cobra.Command, f explainFlags, files []string) error {
	opt, err := f.options()
	if err != nil {
		return err
	}
	path, err := resolveWeights(commandContext(cmd), f.arch, f.weights, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	p, err := loadExplained(archFlag(cmd, f.arch), path, threadsFlag(cmd))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return err
	}
	out := bufio.NewWriter(cmd.OutOrStdout())
	defer out.Flush()
	e := explain.New(p.Model)
	failed := 0
	for _, file := range files {
		l, err := explainFile(e, p, file, opt, f)
		if err != nil {
			var le *explain.LayerError
			var ce *explain.ClassError
			var oe *explain.OptionError
			if errors.As(err, &le) || errors.As(err, &ce) || errors.As(err, &oe) {
				return err // the same for every image
			}
			failed++
			fmt.Fprintln(cmd.ErrOrStderr(), "alexnet:", err)
			l = explainLine{File: file, Error: err.Error()}
		}
		if err := l.write(out, f.json); err != nil {
			return err
		}
	}
	out.Flush()
	return imagesFailed(cmd, failed, len(files))
}

// loadExplained loads the float32 model of the weights file at path: an
// int8 model of alexnet quantize dequantized (predict.LoadDequantized).
func loadExplained(arch, path string, threads int) (*predict.Predictor, error) {
	p, err := predict.Load(arch, path, threads)
	if err != nil {
		if _, qerr := quant.Load(path); qerr == nil {
			return predict.LoadDequantized(arch, path, threads)
		}
	}
	return p, err
}

// options are f's explain.Options.
func (f explainFlags) options() (explain.Options, error) {
	opt := explain.Options{Method: f.method, Layer: f.layer, Patch: f.patch, Stride: f.stride}
	if !slices.Contains(explain.Methods, f.method) {
		return opt, fmt.Errorf("--method %q: want one of %s", f.method, strings.Join(explain.Methods, ", "))
	}
	if f.class != "top" {
		k, err := strconv.Atoi(f.class)
		if err != nil {
			return opt, fmt.Errorf("--class %q: want a class index or top", f.class)
		}
		opt.Class = explain.ClassIndex(k)
	}
	if !(f.alpha >= 0 && f.alpha <= 1) {
		return opt, fmt.Errorf("--alpha %v: want a value in [0, 1]", f.alpha)
	}
	return opt, nil
}

// explainFile explains one image and writes its files.
func explainFile(e *explain.Explainer, p *predict.Predictor, file string, opt explain.Options, f explainFlags) (explainLine, error) {
	img, err := imageproc.DecodeFile(file)
	if err != nil {
		return explainLine{}, imageproc.WithName(err, file)
	}
	pre, err := imageproc.PreprocessInto(nil, img, p.Transform)
	if err != nil {
		return explainLine{}, imageproc.WithName(err, file)
	}
	x := &tensor.Tensor{Shape: append([]int{1}, pre.X.Shape...), Data: pre.X.Data}
	r, err := e.Explain(x, opt)
	if err != nil {
		return explainLine{}, err
	}
	cls := p.TopK(r.Logits, len(r.Logits))
	l := explainLine{File: file, Method: r.Method, Layer: r.Layer, Top: cls[:min(5, len(cls))]}
	for i := range cls {
		if cls[i].Index == r.Class {
			l.Class = &cls[i]
		}
	}
	base := filepath.Join(f.out, strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))+"."+r.Method)
	crop := pre.Crop
	writes := []struct {
		path  string
		write func(io.Writer) error
	}{
		{base + ".png", func(w io.Writer) error { return png.Encode(w, heatmap.Overlay(img, r.Map, pre.Box, f.alpha)) }},
		{base + ".crop.png", func(w io.Writer) error {
			return png.Encode(w, heatmap.Overlay(crop, r.Map, crop.Bounds(), f.alpha))
		}},
		{base + ".npy", func(w io.Writer) error { return npy.WriteF32(w, r.Map.Shape, r.Map.Data) }},
	}
	for _, wr := range writes {
		if err := createFile(wr.path, wr.write); err != nil {
			return explainLine{}, err
		}
		l.Files = append(l.Files, wr.path)
	}
	return l, nil
}

// createFile creates path and writes it with write.
func createFile(path string, write func(io.Writer) error) error {
	fh, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(fh)
	if err := write(w); err != nil {
		fh.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

// write prints l as JSON or as text.
func (l explainLine) write(w io.Writer, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(w).Encode(l)
	}
	if l.Error != "" {
		return nil // on stderr already
	}
	what := l.Method
	if l.Layer != "" {
		what += " at " + l.Layer
	}
	fmt.Fprintf(w, "%s: %s of class %d %s\n", l.File, what, l.Class.Index, l.Class.Label)
	for _, c := range l.Top {
		fmt.Fprintf(w, "  %4d  %-32s %7.3f%%\n", c.Index, c.Label, 100*c.Prob)
	}
	for _, f := range l.Files {
		fmt.Fprintln(w, "  wrote", f)
	}
	return nil
}
