// Command int8eval measures the int8 AlexNet of package qmodel against its
// float32 model on Tiny ImageNet: it calibrates on --calib-n training images
// taken evenly from the train list (the classes in classes.txt order, each
// folder's files sorted, every len/N-th, as scripts/trainref/int8ref.py
// takes them), through the evaluation transform, then runs both models over
// the validation images and prints one JSON object: float32 and int8 top-1
// and top-5, the fraction of images whose int8 top-1 equals float32's, and
// the images per second of each model's forward passes.
//
//	go run ./scripts/int8eval --arch tiny-bn --data ../shared/data/tiny-imagenet-200 --weights DIR/model.pth
//
// On the trained tiny-bn model (float32: 36.96% top-1, 63.92% top-5), all
// 10,000 validation images, 512 calibration images:
//
//	observer    float32 layers             int8 top-1  top-5   top-1 agreement
//	histogram   none                       36.99%      63.97%  97.35%
//	histogram   features.0, classifier.6   36.87%      63.90%  97.81%
//	minmax      none                       36.84%      63.78%  97.25%
//	percentile  none (99.99)               36.91%      63.89%  97.05%
//	entropy     none                       36.82%      63.94%  97.38%
//
// (PyTorch 1.13's own, onednn, histogram: 36.82% and 96.80%; with
// features.0 and classifier.6 in float32 36.85% and 97.89%.)
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/alexnet-go/alexnet/predict"
	"github.com/alexnet-go/alexnet/qmodel"
	"github.com/alexnet-go/alexnet/tensor"
)

// item is one labelled image file.
type item struct {
	path  string
	label int
}

func main() {
	var (
		weights = flag.String("weights", "", "model.pth or .safetensors (classes.txt beside it)")
		arch    = flag.String("arch", "tiny-bn", "architecture")
		data    = flag.String("data", "", "Tiny ImageNet root")
		calibN  = flag.Int("calib-n", 512, "calibration images")
		obs     = flag.String("observer", "histogram", "histogram, minmax, percentile or entropy")
		fp32    = flag.String("fp32-layers", "", "comma-separated layers kept in float32")
		limit   = flag.Int("limit", 0, "evaluate the first N validation images only")
		batch   = flag.Int("batch", 128, "evaluation batch size")
		threads = flag.Int("threads", 0, "goroutines (0: GOMAXPROCS)")
	)
	flag.Parse()
	if err := run(*weights, *arch, *data, *calibN, *obs, *fp32, *limit, *batch, *threads); err != nil {
		fmt.Fprintln(os.Stderr, "int8eval:", err)
		os.Exit(1)
	}
}

func run(weights, arch, data string, calibN int, obs, fp32 string, limit, batch, threads int) error {
	p, err := predict.Load(arch, weights, threads)
	if err != nil {
		return err
	}
	if p.Classes == nil {
		return fmt.Errorf("%s: no classes.txt beside the weights", weights)
	}
	calib, err := calibrationItems(data, p.Classes, calibN)
	if err != nil {
		return err
	}
	val, err := valItems(data, p.Classes)
	if err != nil {
		return err
	}
	if limit > 0 && limit < len(val) {
		val = val[:limit]
	}
	opt := qmodel.Options{Observer: obs}
	for s := range strings.SplitSeq(fp32, ",") {
		if s != "" {
			opt.FP32Layers = append(opt.FP32Layers, s)
		}
	}
	t0 := time.Now()
	qm, err := qmodel.Calibrate(context.Background(), p.Model, batches(p, calib, 64), opt)
	if err != nil {
		return err
	}
	calibS := time.Since(t0).Seconds()
	q, err := qmodel.NewMixed(qm, p.Model.Config(), p.Model)
	if err != nil {
		return err
	}
	r, err := compare(p, q, val, batch)
	if err != nil {
		return err
	}
	r.CalibN, r.Observer, r.FP32Layers, r.CalibSeconds = len(calib), obs, opt.FP32Layers, calibS
	return json.NewEncoder(os.Stdout).Encode(r)
}

// calibrationItems lists the training images of classes (in that order,
// each folder's files sorted) and takes every len/n-th, n at most.
func calibrationItems(root string, classes []string, n int) ([]item, error) {
	var all []item
	for i, w := range classes {
		dir := filepath.Join(root, "train", w, "images")
		ents, err := os.ReadDir(dir)
		if err != nil {
			return nil, err
		}
		names := make([]string, 0, len(ents))
		for _, e := range ents {
			names = append(names, e.Name())
		}
		slices.Sort(names)
		for _, f := range names {
			all = append(all, item{filepath.Join(dir, f), i})
		}
	}
	step := max(1, len(all)/max(n, 1))
	var out []item
	for i := 0; i < len(all) && len(out) < n; i += step {
		out = append(out, all[i])
	}
	return out, nil
}

// valItems reads val/val_annotations.txt.
func valItems(root string, classes []string) ([]item, error) {
	f, err := os.Open(filepath.Join(root, "val", "val_annotations.txt"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var items []item
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) < 2 {
			continue
		}
		label := slices.Index(classes, fields[1])
		if label < 0 {
			return nil, fmt.Errorf("val: unknown class %q", fields[1])
		}
		items = append(items, item{filepath.Join(root, "val", "images", fields[0]), label})
	}
	return items, sc.Err()
}

// load preprocesses items into one batch, on a few goroutines.
func load(p *predict.Predictor, items []item) (*tensor.Tensor, error) {
	ts := make([]*tensor.Tensor, len(items))
	errs := make([]error, len(items))
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(items); i += 4 {
				ts[i], errs[i] = p.Preprocess(items[i].path)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return tensor.Stack(ts)
}

// batches streams items in batches of n.
func batches(p *predict.Predictor, items []item, n int) qmodel.Batches {
	return qmodel.BatchesOf(len(items), n, func(lo, hi int) (*tensor.Tensor, error) { return load(p, items[lo:hi]) })
}
