// Package train trains AlexNet (package model) as PyTorch does: softmax
// cross-entropy with optional label smoothing (CrossEntropy),
// torch.optim.SGD (SGD), learning-rate schedules (StepLR, Plateau), the
// initialisations of torchvision and of the 2012 paper (InitTorchvision,
// InitPaper), and a Trainer whose Step runs forward in training mode,
// the loss, backward through every layer (package nn's Backward methods)
// and the SGD update.
//
// The gradients, the loss and the losses of ten SGD steps match PyTorch's
// on the fixtures of testdata/gen/train.py.
//
// Run is a whole training run, what `alexnet train` does: Samples (any
// dataset.Dataset, read in any order) loaded by worker goroutines (Load)
// through the paper's or torchvision's augmentation (Augment: random
// crops, flips, PCA lighting, RandomResizedCrop), epochs of Trainer.Step,
// per-epoch validation (Validate), CSV logs, the curves for a Plot callback
// (package trainplot draws them into a PNG), and
// atomic checkpoints (SaveCheckpoint) from which a resumed run repeats an
// uninterrupted one bit for bit: every random draw derives from the seed
// and the epoch, step or sample index (SampleRand, StepRand, EpochOrder),
// never from a generator's running state.
//
// Augment is safe for concurrent use; nothing else in this package is.
package train

import "fmt"

// LabelError reports a class label outside [0, classes).
type LabelError struct {
	Index, Label, Classes int
}

// Error implements error.
func (e *LabelError) Error() string {
	return fmt.Sprintf("train: label %d of sample %d not in [0, %d)", e.Label, e.Index, e.Classes)
}

// ConfigError reports a hyperparameter PyTorch would reject.
type ConfigError struct {
	What string // e.g. "SGD", "Plateau"
	Msg  string
}

// Error implements error.
func (e *ConfigError) Error() string { return "train: " + e.What + ": " + e.Msg }
