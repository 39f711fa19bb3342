package predict

import (
	"fmt"
	"path/filepath"

	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/qmodel"
	"github.com/alexnet-go/alexnet/quant"
	"github.com/alexnet-go/alexnet/tensor"
	"github.com/alexnet-go/alexnet/weights"
)

// LoadInt8 reads a quantized model (the safetensors file of package quant
// that `alexnet quantize` writes) of architecture arch and builds a
// Predictor whose Forward runs it in int8 (package qmodel), with Classes
// from a classes.txt beside it as Load. Its Model is the float32
// network of the same shape, which gives Config and the transform and
// whose pooling and ReLU layers the int8 network runs; its weights are
// not the quantized ones.
func LoadInt8(arch, path string, threads int) (*Predictor, error) {
	return loadQuantized(arch, path, threads, func(p *Predictor, q *quant.Model) (err error) {
		p.int8, err = qmodel.NewFrom(q, p.Model)
		return err
	})
}

// LoadDequantized reads a quantized model as LoadInt8 does and returns a
// float32 Predictor whose Model carries its weights dequantized
// (qmodel.Dequantize): the network whose gradients explain the int8
// model's predictions.
func LoadDequantized(arch, path string, threads int) (*Predictor, error) {
	return loadQuantized(arch, path, threads, func(p *Predictor, q *quant.Model) (err error) {
		p.Model, err = qmodel.Dequantize(q, p.Model.Config())
		return err
	})
}

// loadQuantized reads the quantized model at path, builds the Predictor of
// its architecture with Classes, and lets build finish it.
func loadQuantized(arch, path string, threads int, build func(*Predictor, *quant.Model) error) (*Predictor, error) {
	q, err := quant.Load(path)
	if err != nil {
		return nil, err
	}
	shapes := make(map[string]*tensor.Tensor, len(q.Layers))
	for _, l := range q.Layers {
		shapes[l.Name+".weight"] = &tensor.Tensor{Shape: l.Shape}
	}
	arch = FileArch(arch, &weights.StateDict{Tensors: shapes})
	cfg, err := model.InferConfig(arch, shapes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	cfg.Threads = threads
	p, err := newPredictor(arch, cfg)
	if err != nil {
		return nil, err
	}
	if err := build(p, q); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if p.Classes, err = readClasses(path, cfg.NumClasses); err != nil {
		return nil, err
	}
	return p, nil
}

// Int8 reports whether p runs an int8 model (LoadInt8).
func (p *Predictor) Int8() bool { return p.int8 != nil }

// readClasses is weights.ReadClasses for the weights file at path,
// checked against the model's class count.
func readClasses(path string, n int) ([]string, error) {
	names, err := weights.ReadClasses(path)
	if err != nil {
		return nil, err
	}
	if names != nil && len(names) != n {
		cf := filepath.Join(filepath.Dir(path), weights.ClassesFile)
		return nil, fmt.Errorf("%s: %d classes for a model of %d", cf, len(names), n)
	}
	return names, nil
}
