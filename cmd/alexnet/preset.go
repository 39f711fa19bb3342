package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"
)

// trainPresets are the flag values of `alexnet train --preset NAME`; a
// flag given on the command line wins over its preset value.
var trainPresets = map[string][][2]string{
	// Tiny ImageNet at its native 64×64: the tiny-bn architecture (a 5×5
	// stride-2 stem, batch norms) at half of torchvision's widths, He
	// initialisation (last layer 0), one epoch of linear warm-up and
	// cosine decay, label smoothing, the paper's augmentation (Resize(73),
	// a random 64×64 crop, flip, PCA lighting).
	"tiny-imagenet": {
		{"arch", "tiny-bn"}, {"channels", "32,96,192,128,128"}, {"hidden", "1024"},
		{"size", "64"}, {"batch", "128"}, {"epochs", "35"},
		{"lr", "0.05"}, {"momentum", "0.9"}, {"weight-decay", "5e-4"},
		{"schedule", "cosine"}, {"warmup", "1"}, {"label-smoothing", "0.1"},
		{"init", "he"}, {"aug", "paper"}, {"pca", "0.1"},
	},
}

// applyPreset sets the flags of the named preset that the command line
// left unset; "" is no preset.
func applyPreset(cmd *cobra.Command, name string) error {
	if name == "" {
		return nil
	}
	p, ok := trainPresets[name]
	if !ok {
		names := make([]string, 0, len(trainPresets))
		for n := range trainPresets {
			names = append(names, n)
		}
		sort.Strings(names)
		return fmt.Errorf("--preset %q: want one of %s", name, strings.Join(names, ", "))
	}
	fl := cmd.Flags()
	for _, kv := range p {
		if fl.Changed(kv[0]) {
			continue
		}
		if err := fl.Set(kv[0], kv[1]); err != nil {
			return fmt.Errorf("--preset %s: --%s %s: %w", name, kv[0], kv[1], err)
		}
	}
	return nil
}
