package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/predict"
	"github.com/alexnet-go/alexnet/train"
)

// The flag wiring that several subcommands share: one place for each
// flag's name, default and help text.

// archUsage is the help text of the --arch flag of the subcommands that
// build a model.
const archUsage = "architecture: torchvision, original, tiny or tiny-bn (64×64 inputs); with --weights, the file's when not given"

// newCommand is a subcommand whose RunE calls run; args checks the
// positional arguments (cobra.NoArgs, cobra.MinimumNArgs(1), ...).
func newCommand(use, short, long string, args cobra.PositionalArgs, run func(cmd *cobra.Command, args []string) error) *cobra.Command {
	return &cobra.Command{Use: use, Short: short, Long: long, Args: args, RunE: run}
}

// addArchFlag registers --arch (default torchvision) into arch.
func addArchFlag(fl *pflag.FlagSet, arch *string) {
	fl.StringVar(arch, "arch", model.ArchTorchvision, archUsage)
}

// archFlag is --arch's value, or "" when the flag was not given: then
// the weights file says (predict.FileArch: an ONNX file's graph, or the
// names and shapes of its tensors).
func archFlag(cmd *cobra.Command, arch string) string {
	if f := cmd.Flags().Lookup("arch"); f != nil && f.Changed {
		return arch
	}
	return ""
}

// addWeightsFlag registers --weights into path.
func addWeightsFlag(fl *pflag.FlagSet, path *string) {
	fl.StringVar(path, "weights", "", "weights file (.pth, .safetensors or .onnx)")
}

// addPrecisionFlag registers --precision (default fp32) into p.
func addPrecisionFlag(fl *pflag.FlagSet, p *string) {
	fl.StringVar(p, "precision", "fp32", "arithmetic: fp32, or int8 with --weights a quantized model (alexnet quantize)")
}

// loadPredictor loads the weights file at path for arch at precision
// "fp32" (predict.Load) or "int8" (predict.LoadInt8: a file of alexnet
// quantize).
func loadPredictor(arch, path, precision string, threads int) (*predict.Predictor, error) {
	switch precision {
	case "fp32":
		return predict.Load(arch, path, threads)
	case "int8":
		return predict.LoadInt8(arch, path, threads)
	}
	return nil, fmt.Errorf("--precision %q: want fp32 or int8", precision)
}

// commandContext is cmd's context, or context.Background when it has
// none (a command run without ExecuteContext in tests).
func commandContext(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

// flagError names flag in err: a *train.ChoiceError reads
// `--flag "value": want ...`, any other error `--flag: err`.
func flagError(flag string, err error) error {
	var ce *train.ChoiceError
	if errors.As(err, &ce) {
		return fmt.Errorf("%s %q: want %s", flag, ce.Value, ce.Want)
	}
	return fmt.Errorf("%s: %w", flag, err)
}
