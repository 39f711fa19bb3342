package qmodel

import (
	"context"
	"fmt"
	"slices"

	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/nn"
	"github.com/alexnet-go/alexnet/quant"
	"github.com/alexnet-go/alexnet/tensor"
)

// Batches streams calibration batches, (N,3,H,W) float32 images as the
// model takes them, to yield, stopping at yield's first error.
type Batches func(yield func(*tensor.Tensor) error) error

// Calibrate quantizes m: each BatchNorm2d is folded into the convolution
// before it (FoldBatchNorm), each convolution and linear layer not in
// opt.FP32Layers gets per-output-channel int8 weights
// (quant.QuantizePerChannel), and its input activation gets the quantizer an
// observer (opt.Observer) chooses from m's float32 forward passes over the
// batches.
//
// As in PyTorch's FX quantization, where max and average pools share the
// quantizer of their input, the observer of a layer's input sees every
// activation from the previous convolution or linear layer's output (after
// its batch norm and ReLU) to the layer's input: the ReLU output, and the
// outputs of the pools between (the flatten and dropout, which repeat the
// same values, are not observed again). The first layer's observer sees the
// images. m is run, not modified; it checks ctx before each batch.
func Calibrate(ctx context.Context, m *model.AlexNet, batches Batches, opt Options) (*quant.Model, error) {
	mods := m.Modules()
	ts, err := targets(mods, opt)
	if err != nil {
		return nil, err
	}
	plan, first := observePlan(mods, ts)
	obs := make([]quant.Observer, len(ts))
	for i := range ts {
		if !ts[i].float {
			if obs[i], err = opt.newObserver(); err != nil {
				return nil, err
			}
		}
	}
	err = batches(func(x *tensor.Tensor) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return observeForward(m, x, plan, first, obs)
	})
	if err != nil {
		return nil, fmt.Errorf("qmodel: calibration: %w", err)
	}
	return quantModel(ts, obs)
}

// target is one convolution or linear layer with its (folded) float32
// weight and bias.
type target struct {
	name   string
	module int // index in the module list
	shape  []int
	w, b   []float32
	float  bool // kept in float32
}

// targets lists the convolutions and linear layers of mods, batch norms
// folded; a grouped convolution is an *UnsupportedError.
func targets(mods []model.Module, opt Options) ([]target, error) {
	var ts []target
	for i, mod := range mods {
		t := target{name: mod.Name, module: i, float: opt.float(mod.Name)}
		switch l := mod.Layer.(type) {
		case *nn.Conv2d:
			if l.Groups != 1 {
				return nil, &UnsupportedError{mod.Name, "grouped convolution"}
			}
			var bn *nn.BatchNorm2d
			if i+1 < len(mods) {
				bn, _ = mods[i+1].Layer.(*nn.BatchNorm2d)
			}
			t.shape = slices.Clone(l.Weight.Shape)
			t.w, t.b = FoldBatchNorm(l, bn)
		case *nn.Linear:
			t.shape = slices.Clone(l.Weight.Shape)
			t.w, t.b = slices.Clone(l.Weight.Data), slices.Clone(l.Bias.Data)
		default:
			continue
		}
		ts = append(ts, t)
	}
	return ts, nil
}

// observePlan returns, per module, the index in ts of the layer whose
// input observer sees the module's output (-1 for none), and that of the
// layer whose observer sees the images.
func observePlan(mods []model.Module, ts []target) (plan []int, first int) {
	plan = make([]int, len(mods))
	next := len(ts) // the next target after module i, walking backwards
	for i := len(mods) - 1; i >= 0; i-- {
		plan[i] = -1
		if next < len(ts) && observed(mods, i) {
			plan[i] = next
		}
		if next > 0 && ts[next-1].module == i {
			next--
		}
	}
	return plan, next
}

// observed reports whether module i's output is an activation a quantized
// model would observe (see Calibrate).
func observed(mods []model.Module, i int) bool {
	switch l := mods[i].Layer.(type) {
	case *nn.Conv2d:
		return i+1 == len(mods) || !isBatchNorm(mods[i+1].Layer)
	case *nn.ReLU:
		return !l.Fused
	case *nn.BatchNorm2d, *nn.Linear, *nn.MaxPool2d, *nn.AdaptiveAvgPool2d:
		return true
	}
	return false
}

func isBatchNorm(l nn.Layer) bool {
	_, ok := l.(*nn.BatchNorm2d)
	return ok
}

// observeForward runs x through m, feeding obs as plan says.
func observeForward(m *model.AlexNet, x *tensor.Tensor, plan []int, first int, obs []quant.Observer) error {
	feed := func(i int, t *tensor.Tensor) {
		if i >= 0 && i < len(obs) && obs[i] != nil {
			obs[i].Observe(t.Data)
		}
	}
	feed(first, x)
	_, err := m.Walk(x, nil, func(i int, _ model.Module, out *tensor.Tensor) { feed(plan[i], out) })
	return err
}

// quantModel quantizes the weights of the targets not kept in float32 and
// sets their input quantizers from obs.
func quantModel(ts []target, obs []quant.Observer) (*quant.Model, error) {
	qm := &quant.Model{}
	for i, t := range ts {
		if t.float {
			continue
		}
		q, scales, err := quant.QuantizePerChannel(t.w, t.shape[0])
		if err != nil {
			return nil, fmt.Errorf("qmodel: %s: %w", t.name, err)
		}
		in, err := obs[i].Params()
		if err != nil {
			return nil, fmt.Errorf("qmodel: %s input: %w", t.name, err)
		}
		qm.Layers = append(qm.Layers, quant.Layer{Name: t.name, Shape: t.shape, Weight: q, WeightScale: scales, Bias: t.b, Input: in})
	}
	return qm, nil
}
