package predict

import (
	"cmp"
	"context"
	"fmt"
	"strconv"

	"github.com/alexnet-go/alexnet/imagenet"
	"github.com/alexnet-go/alexnet/imageproc"
	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/qmodel"
	"github.com/alexnet-go/alexnet/tensor"
	"github.com/alexnet-go/alexnet/weights"
)

// Predictor is a model with loaded weights and its preprocessing. Forward
// is not safe for concurrent use; Preprocess is.
type Predictor struct {
	Arch      string
	Model     *model.AlexNet
	Transform *imageproc.Options
	// Classes, when set, name the model's classes in logit order (the
	// classes.txt `alexnet train` writes beside its weights): ImageNet
	// wnids, or any other names. Nil means ImageNet-1k's for 1000
	// classes, else "class <i>".
	Classes []string

	int8 *qmodel.Model // LoadInt8's: Forward runs it instead of Model
}

// New builds the arch's model ("torchvision", "original", "tiny" or
// "tiny-bn") with the widths and class count of the state dict
// (model.InferConfig) and loads it, checking every tensor's name and
// shape. threads <= 0 means all cores.
func New(arch string, sd map[string]*tensor.Tensor, threads int) (*Predictor, error) {
	return FromStateDict(arch, &weights.StateDict{Tensors: sd}, threads)
}

// FileArch is arch, or when arch is "" the architecture a weights file
// holds: the one its graph computes (an ONNX file's weights.MetaArch),
// else the one its tensor names and shapes are those of
// (model.DetectArch), else torchvision.
func FileArch(arch string, sd *weights.StateDict) string {
	return cmp.Or(arch, sd.Metadata[weights.MetaArch], model.DetectArch(sd.Tensors), model.ArchTorchvision)
}

// Caffe's preprocessing, which ONNX files in Caffe's layout
// (weights.MetaLayout "caffe") take: the image in 0..255 minus the BGR
// mean 104, 117, 123 (ReadONNX has turned the first convolution to take
// RGB, so the mean is given in RGB order here), without a standard
// deviation.
var (
	caffeMean = [3]float32{123.0 / 255, 117.0 / 255, 104.0 / 255}
	caffeStd  = [3]float32{1.0 / 255, 1.0 / 255, 1.0 / 255}
)

// FromStateDict is New with what sd's metadata says of the model (an
// ONNX file's: input size, LRN bias, Caffe's layout, the preprocessing's
// mean and std) applied.
func FromStateDict(arch string, sd *weights.StateDict, threads int) (*Predictor, error) {
	cfg, err := model.InferConfig(arch, sd.Tensors)
	if err != nil {
		return nil, err
	}
	cfg.Threads = threads
	meta := sd.Metadata
	if v, err := strconv.ParseFloat(meta[weights.MetaLRNBias], 32); err == nil && arch == model.ArchOriginal {
		cfg.LRNBias = float32(v)
	}
	if v, err := strconv.Atoi(meta[weights.MetaInputSize]); err == nil && v > 0 {
		cfg.InputSize = v
	}
	cfg.CeilPool = meta[weights.MetaPoolCeil] == "1"
	p, err := newPredictor(arch, cfg)
	if err != nil {
		return nil, err
	}
	if meta[weights.MetaLayout] == "caffe" {
		p.Transform.Mean, p.Transform.Std = caffeMean, caffeStd
	}
	mean, okM := weights.ParseFloats3(meta[weights.MetaMean])
	std, okS := weights.ParseFloats3(meta[weights.MetaStd])
	if okM && okS {
		p.Transform.Mean, p.Transform.Std = mean, std
	}
	if err := p.Model.LoadStateDict(sd.Tensors); err != nil {
		if a := model.DetectArch(sd.Tensors); a != "" && a != arch {
			return nil, fmt.Errorf("%w (the tensors are those of architecture %q, not %q)", err, a, arch)
		}
		return nil, err
	}
	return p, nil
}

// newPredictor builds cfg's model (weights as initialised) with the
// evaluation transform of its input size.
func newPredictor(arch string, cfg model.Config) (*Predictor, error) {
	m, err := model.New(cfg)
	if err != nil {
		return nil, err
	}
	t := imageproc.DefaultOptions()
	t.CropSize = cfg.InputSize
	if cfg.Arch == model.ArchTiny || cfg.Arch == model.ArchTinyBN {
		// torchvision's 256/224 ratio at tiny's 64: Resize(73), as
		// `alexnet train --size 64` validates.
		t.ResizeSize = cfg.InputSize * 256 / 224
	}
	return &Predictor{Arch: arch, Model: m, Transform: t}, nil
}

// Replica returns a Predictor that shares p's weights (model.Replica) and
// transform, for forward passes on another goroutine at the same time as
// p's. An int8 Predictor's replica shares its packed int8 weights too.
func (p *Predictor) Replica() (*Predictor, error) {
	m, err := p.Model.Replica()
	if err != nil {
		return nil, err
	}
	r := &Predictor{Arch: p.Arch, Model: m, Transform: p.Transform, Classes: p.Classes}
	if p.int8 != nil {
		if r.int8, err = p.int8.Replica(m); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Load reads a weights file (.pth in either torch.save format,
// .safetensors or .onnx) and builds the Predictor, with Classes from a
// classes.txt beside it that has one line per class (`alexnet train`'s).
// arch "" means the file's (FileArch).
func Load(arch, path string, threads int) (*Predictor, error) {
	sd, err := weights.Load(path, nil)
	if err != nil {
		return nil, err
	}
	p, err := FromStateDict(FileArch(arch, sd), sd, threads)
	if err != nil {
		return nil, fmt.Errorf("weights %s: %w", path, err)
	}
	if p.Classes, err = readClasses(path, p.Model.Config().NumClasses); err != nil {
		return nil, err
	}
	return p, nil
}

// TopK is the package's TopK with labels from p.Classes when set: the
// ImageNet name of a wnid it knows, else the line itself.
func (p *Predictor) TopK(logits []float32, k int) []Class {
	top := TopK(logits, k)
	if p.Classes != nil {
		for i := range top {
			top[i].Label = ClassName(p.Classes[top[i].Index])
		}
	}
	return top
}

// ClassName is the ImageNet-1k name of a wnid, or s itself.
func ClassName(s string) string {
	if i, ok := imagenet.Index(s); ok {
		return imagenet.Name(i)
	}
	return s
}

// Preprocess decodes the file at path and returns its (3,S,S) input tensor.
// Preprocess is safe for concurrent use.
func (p *Predictor) Preprocess(path string) (*tensor.Tensor, error) {
	img, err := imageproc.DecodeFile(path)
	if err != nil {
		return nil, err
	}
	return p.transform(img, path)
}

// transform preprocesses img, which it then recycles (its callers decoded
// it and keep nothing of it).
func (p *Predictor) transform(img *imageproc.RGB, name string) (*tensor.Tensor, error) {
	x, err := imageproc.Preprocess(img, p.Transform)
	imageproc.Recycle(img)
	return x, imageproc.WithName(err, name)
}

// prepare decodes one input and returns its input tensors: one, or the
// ten of imageproc.TenCrop with p.Transform.
func (p *Predictor) prepare(in Input, tenCrop bool) ([]*tensor.Tensor, error) {
	var (
		img *imageproc.RGB
		err error
	)
	if in.Path != "" {
		img, err = imageproc.DecodeFile(in.Path)
	} else {
		img, err = imageproc.DecodeBytes(in.Data, in.Name)
	}
	if err != nil {
		return nil, err
	}
	if tenCrop {
		xs, err := imageproc.TenCrop(img, p.Transform)
		return xs, imageproc.WithName(err, in.Name)
	}
	x, err := p.transform(img, in.Name)
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{x}, nil
}

// Forward runs a (N,3,S,S) batch and returns (N,classes) logits.
func (p *Predictor) Forward(ctx context.Context, x *tensor.Tensor) (*tensor.Tensor, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if p.int8 != nil {
		return p.int8.Forward(x)
	}
	return p.Model.Forward(x)
}
