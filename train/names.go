package train

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/alexnet-go/alexnet/imageproc"
	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/weights"
)

// ChoiceError reports a name or spec that is not one of the choices of a
// setting, e.g. an unknown initialisation. Its message names the setting
// (What), not how a program reads it, so that a command can say which of
// its flags was wrong from What, Value and Want.
type ChoiceError struct {
	What  string // the setting, e.g. "schedule", "init", "aug"
	Value string // what was given
	Want  string // what is accepted, e.g. "torchvision, paper, kaiming or he"
}

// Error implements error.
func (e *ChoiceError) Error() string {
	return fmt.Sprintf("train: %s %q: want %s", e.What, e.Value, e.Want)
}

// ParseSchedule reads a learning-rate schedule: "step:N" (StepLR, the rate
// divided by 10 every N epochs), "plateau[:PATIENCE]" (ReduceLROnPlateau
// on the validation top-1 error, NewPlateau's defaults), "cosine" (to 0,
// step by step) or "none". Its errors are *ChoiceError.
func ParseSchedule(s string) (Schedule, error) {
	kind, arg, _ := strings.Cut(s, ":")
	bad := func(want string) (Schedule, error) {
		return Schedule{}, &ChoiceError{What: "schedule", Value: s, Want: want}
	}
	switch kind {
	case "none":
		return Schedule{}, nil
	case "cosine":
		return Schedule{Cosine: true}, nil
	case "step":
		n, err := strconv.Atoi(arg)
		if err != nil || n < 1 {
			return bad("step:N with N ≥ 1")
		}
		return Schedule{StepSize: n, Gamma: 0.1}, nil
	case "plateau":
		p := NewPlateau()
		if arg != "" {
			n, err := strconv.Atoi(arg)
			if err != nil || n < 0 {
				return bad("plateau:PATIENCE")
			}
			p.Patience = n
		}
		return Schedule{Plateau: p}, nil
	}
	return bad("step:N, plateau[:PATIENCE], cosine or none")
}

// InitFunc initialises a model's parameters from rng.
type InitFunc func(m *model.AlexNet, rng *rand.Rand)

// InitByName returns the initialisation called name: "torchvision"
// (InitTorchvision), "paper" (InitPaper), "kaiming" (InitKaiming) or "he"
// (InitHe). Its error is a *ChoiceError.
func InitByName(name string) (InitFunc, error) {
	switch name {
	case "torchvision":
		return InitTorchvision, nil
	case "paper":
		return InitPaper, nil
	case "kaiming":
		return InitKaiming, nil
	case "he":
		return InitHe, nil
	}
	return nil, &ChoiceError{What: "init", Value: name, Want: "torchvision, paper, kaiming or he"}
}

// AugmentByName returns the training transform called name for inputs of
// side size cropped from images resized to resize: "paper"
// (PaperAugment with PCA lighting of σ pca), "rrc" (RandomResizedCrop and
// a flip, plus PCA lighting if pca > 0) or "none" (the validation
// transform). Its error is a *ChoiceError.
func AugmentByName(name string, resize, size int, pca float64) (*Augment, error) {
	aug := PaperAugment(resize, size)
	aug.PCAStd = pca
	switch name {
	case "paper":
	case "rrc":
		aug.RandomResized = true
	case "none":
		aug = &Augment{Size: size, Resize: resize, Mean: imageproc.ImageNetMean, Std: imageproc.ImageNetStd}
	default:
		return nil, &ChoiceError{What: "aug", Value: name, Want: "paper, rrc or none"}
	}
	return aug, nil
}

// InitFromTorchvision is the source of InitFromFile that names
// torchvision's pretrained weights rather than a file.
const InitFromTorchvision = "torchvision"

// InitFromError reports a state dict that InitFrom cannot start a model
// from.
type InitFromError struct {
	Path string // the state dict's file
	Err  error
}

// Error implements error.
func (e *InitFromError) Error() string { return fmt.Sprintf("train: init from %s: %v", e.Path, e.Err) }

// Unwrap returns the cause.
func (e *InitFromError) Unwrap() error { return e.Err }

// InitFromFile starts m from a state dict (InitFrom's rules): the file src
// (.pth or .safetensors) or, when src is InitFromTorchvision, the file
// that official returns (it finds or downloads torchvision's weights,
// e.g. by weights.Resolve). It returns the path it read and the names
// InitFrom skipped; an error of InitFrom is an *InitFromError.
func InitFromFile(ctx context.Context, m *model.AlexNet, src string, official func(context.Context) (string, error)) (path string, skipped []string, err error) {
	path = src
	if src == InitFromTorchvision {
		if path, err = official(ctx); err != nil {
			return "", nil, err
		}
	}
	sd, err := weights.Load(path, nil)
	if err != nil {
		return path, nil, err
	}
	if skipped, err = InitFrom(m, sd.Tensors); err != nil {
		return path, nil, &InitFromError{Path: path, Err: err}
	}
	return path, skipped, nil
}
