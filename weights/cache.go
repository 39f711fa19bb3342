package weights

import (
	"os"
	"path/filepath"
)

// The official torchvision AlexNet weights (AlexNet_Weights.IMAGENET1K_V1).
const (
	OfficialURL  = "https://download.pytorch.org/models/alexnet-owt-7be5be79.pth"
	OfficialFile = "alexnet-owt-7be5be79.pth"
	// OfficialSHA256Prefix is the start of the file's SHA-256, which
	// torch.hub's check_hash reads from the "-7be5be79." in the name.
	OfficialSHA256Prefix = "7be5be79"
)

// Environment variables that place weights.
const (
	EnvHome    = "ALEXNET_HOME"    // our cache directory
	EnvWeights = "ALEXNET_WEIGHTS" // a weights file to use
	EnvTorch   = "TORCH_HOME"      // torch's home, as torch.hub reads it
)

// CacheDir is where downloaded weights go: $ALEXNET_HOME if set, else
// os.UserCacheDir()/alexnet (~/.cache/alexnet on Linux).
func CacheDir() (string, error) {
	if d := os.Getenv(EnvHome); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "alexnet"), nil
}

// TorchCacheDir is where torch.hub.load_state_dict_from_url keeps
// checkpoints (torch/hub.py get_dir): $TORCH_HOME/hub/checkpoints, else
// $XDG_CACHE_HOME/torch/hub/checkpoints, else
// ~/.cache/torch/hub/checkpoints.
func TorchCacheDir() (string, error) {
	home := os.Getenv(EnvTorch)
	if home == "" {
		base := os.Getenv("XDG_CACHE_HOME")
		if base == "" {
			h, err := os.UserHomeDir()
			if err != nil {
				return "", err
			}
			base = filepath.Join(h, ".cache")
		}
		home = filepath.Join(base, "torch")
	}
	return filepath.Join(home, "hub", "checkpoints"), nil
}
