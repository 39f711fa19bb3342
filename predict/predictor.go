package predict

import (
	"context"
	"fmt"

	"github.com/alexnet-go/alexnet/imageproc"
	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/tensor"
	"github.com/alexnet-go/alexnet/weights"
)

// Predictor is a model with loaded weights and its preprocessing. Forward
// is not safe for concurrent use; Preprocess is.
type Predictor struct {
	Arch      string
	Model     *model.AlexNet
	Transform *imageproc.Options
}

// New builds the arch's model ("torchvision" or "original") with the widths
// and class count of the state dict (model.InferConfig) and loads it,
// checking every tensor's name and shape. threads <= 0 means all cores.
func New(arch string, sd map[string]*tensor.Tensor, threads int) (*Predictor, error) {
	cfg, err := model.InferConfig(arch, sd)
	if err != nil {
		return nil, err
	}
	cfg.Threads = threads
	m, err := model.New(cfg)
	if err != nil {
		return nil, err
	}
	if err := m.LoadStateDict(sd); err != nil {
		return nil, err
	}
	t := imageproc.DefaultOptions()
	t.CropSize = cfg.InputSize
	return &Predictor{Arch: arch, Model: m, Transform: t}, nil
}

// Load reads a weights file (.pth in either torch.save format, or
// .safetensors) and builds the Predictor.
func Load(arch, path string, threads int) (*Predictor, error) {
	sd, err := weights.Load(path, nil)
	if err != nil {
		return nil, err
	}
	p, err := New(arch, sd.Tensors, threads)
	if err != nil {
		return nil, fmt.Errorf("weights %s: %w", path, err)
	}
	return p, nil
}

// Preprocess decodes the file at path and returns its (3,S,S) input tensor.
func (p *Predictor) Preprocess(path string) (*tensor.Tensor, error) {
	img, err := imageproc.DecodeFile(path)
	if err != nil {
		return nil, err
	}
	return imageproc.Preprocess(img, p.Transform), nil
}

// Forward runs a (N,3,S,S) batch and returns (N,classes) logits.
func (p *Predictor) Forward(ctx context.Context, x *tensor.Tensor) (*tensor.Tensor, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return p.Model.Forward(x)
}
