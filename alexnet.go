package alexnet

import (
	"cmp"
	"context"
	"fmt"
	"os"

	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/predict"
	"github.com/alexnet-go/alexnet/weights"
)

// Arch names an AlexNet variant: the module layout a weights file was
// saved from.
type Arch string

// The variants, those of package model.
const (
	Torchvision Arch = Arch(model.ArchTorchvision) // torchvision.models.alexnet, 224×224 inputs
	Original    Arch = Arch(model.ArchOriginal)    // the 2012 paper's: LRN, grouped convolutions, 227×227
	Tiny        Arch = Arch(model.ArchTiny)        // torchvision's with a 5×5 stride-2 stem for 64×64 inputs
	TinyBN      Arch = Arch(model.ArchTinyBN)      // Tiny with BatchNorm2d after each convolution
)

// Archs lists the variants New accepts.
func Archs() []Arch { return []Arch{Torchvision, Original, Tiny, TinyBN} }

// Precision names the arithmetic of the forward pass.
type Precision string

// Float32 is the only precision today: float32 throughout, as PyTorch's
// CPU forward pass.
const Float32 Precision = "float32"

// Options configure New. A nil *Options means the defaults; in a non-nil
// one a zero field means that field's default.
type Options struct {
	// Arch is the variant the weights were saved from (default
	// Torchvision).
	Arch Arch
	// Weights is the path of a .pth (either torch.save format) or
	// .safetensors file. Empty means $ALEXNET_WEIGHTS, else, for
	// Torchvision, torchvision's published weights from the cache
	// (weights.Resolve: $ALEXNET_HOME, the user cache, torch's cache).
	Weights string
	// Download lets New fetch torchvision's published weights (233 MB,
	// SHA-256 checked) into the cache when Weights is empty and no copy
	// is found; without it New never uses the network.
	Download bool
	// Threads is the goroutine count of each forward pass (default: one
	// per CPU).
	Threads int
	// Replicas is how many forward passes may run at once, each with its
	// own activations, all sharing the weights (default 1).
	Replicas int
	// Precision is the forward pass's arithmetic (default Float32).
	Precision Precision
	// TopK is how many classes Classify returns, best first (default 5).
	TopK int
}

// UnsupportedError reports an Options field whose value New does not
// support.
type UnsupportedError struct {
	Field string // "Arch", "Precision"
	Value string
}

// Error implements error.
func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("alexnet: unsupported %s %q", e.Field, e.Value)
}

// Classifier classifies images with one model. It is safe for concurrent
// use (see the package documentation).
type Classifier struct {
	arch  Arch
	topK  int
	pred  *predict.Predictor      // the first replica: labels and transform
	free  chan *predict.Predictor // the replicas not in a forward pass
	names []string                // the class names, in logit order
}

// New loads the weights opt names and returns their Classifier. Its
// errors are an *UnsupportedError for an unknown Arch or Precision,
// a *weights.NotFoundError or a *NoWeightsError when no weights file is
// given or found, and
// the errors of package weights and model for a file that cannot be read
// or does not hold opt.Arch's tensors.
func New(ctx context.Context, opt *Options) (*Classifier, error) {
	o := withDefaults(opt)
	if _, err := model.ConfigFor(string(o.Arch)); err != nil {
		return nil, &UnsupportedError{Field: "Arch", Value: string(o.Arch)}
	}
	if o.Precision != Float32 {
		return nil, &UnsupportedError{Field: "Precision", Value: string(o.Precision)}
	}
	path, err := resolve(ctx, o)
	if err != nil {
		return nil, err
	}
	p, err := predict.Load(string(o.Arch), path, o.Threads)
	if err != nil {
		return nil, err
	}
	c := &Classifier{arch: o.Arch, topK: o.TopK, pred: p, free: make(chan *predict.Predictor, o.Replicas)}
	c.free <- p
	for range o.Replicas - 1 {
		r, err := p.Replica()
		if err != nil {
			return nil, err
		}
		c.free <- r
	}
	n := p.Model.Config().NumClasses
	c.names = make([]string, n)
	for i := range c.names {
		c.names[i] = predict.Label(i, n)
		if p.Classes != nil {
			c.names[i] = predict.ClassName(p.Classes[i])
		}
	}
	return c, nil
}

// withDefaults returns a copy of opt (nil allowed) with zero fields set to
// their defaults.
func withDefaults(opt *Options) Options {
	var o Options
	if opt != nil {
		o = *opt
	}
	o.Arch = cmp.Or(o.Arch, Torchvision)
	o.Precision = cmp.Or(o.Precision, Float32)
	o.Replicas = max(o.Replicas, 1)
	o.TopK = cmp.Or(max(o.TopK, 0), 5)
	return o
}

// resolve returns the weights file of o, as the alexnet command finds
// it: the variants other than Torchvision have no published weights.
func resolve(ctx context.Context, o Options) (string, error) {
	if o.Weights != "" {
		return o.Weights, nil
	}
	if o.Arch == Torchvision {
		return weights.Resolve(ctx, "", &weights.ResolveOptions{Offline: !o.Download})
	}
	if p := os.Getenv(weights.EnvWeights); p != "" {
		return p, nil
	}
	return "", &NoWeightsError{Arch: o.Arch}
}

// NoWeightsError reports a variant with no published weights (all but
// Torchvision) and no weights file given.
type NoWeightsError struct {
	Arch Arch
}

// Error implements error.
func (e *NoWeightsError) Error() string {
	return fmt.Sprintf("alexnet: %s has no published weights: set Options.Weights or $%s", e.Arch, weights.EnvWeights)
}

// Arch returns the variant c runs.
func (c *Classifier) Arch() Arch { return c.arch }

// Classes returns the names of c's classes in logit order: Class.Label
// is Classes()[Class.Index].
func (c *Classifier) Classes() []string { return append([]string(nil), c.names...) }
