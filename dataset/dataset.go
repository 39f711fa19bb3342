// Package dataset streams labelled images from the data sets that
// `alexnet eval` reads: Tiny ImageNet in its original folder layout,
// torchvision-style image folders, the ImageNet validation layout (one
// folder of images and a labels file), and Hugging Face data sets stored
// as parquet with the `datasets` Image feature, locally or from the Hub.
//
// Every Dataset streams its samples in a fixed order and never holds the
// whole set in memory: Open reads only listings and label files, and
// Each reads one encoded image at a time. A sample that cannot be read is
// reported in Sample.Err and the stream goes on.
package dataset

import (
	"context"
	"net/http"
)

// Sample is one labelled image of a data set.
type Sample struct {
	Index int    // position in the data set's order
	Name  string // file path, or for parquet "<file>#<row>" (or the row's image.path when set)
	Label int    // index into Classes(); -1 when the sample has no label
	Data  []byte // the encoded image (JPEG, PNG, ...), nil when Err is set
	Err   error  // reading this sample failed (reported and counted by the caller, not fatal)
}

// Dataset streams samples in a fixed order. The data sets of this package
// are safe for concurrent use: each call of Each opens its own files.
type Dataset interface {
	Name() string      // e.g. "tiny-imagenet-200 (val)"
	Classes() []string // the data set's class ids: wnids where known (Tiny ImageNet, ImageNet, HF tiny-imagenet), else folder names
	Len() int          // number of samples (known up front)
	// Each calls fn for every sample in order. It stops and returns fn's
	// error, or ctx's error when ctx ends; it returns nil after the last
	// sample. Unreadable samples are passed to fn with Err set.
	Each(ctx context.Context, fn func(Sample) error) error
}

// Options configure Open. A nil *Options means defaults.
type Options struct {
	// Split names the part of the data set: "val" (the default) or
	// "train" for Tiny ImageNet; for parquet, the file name prefix
	// ("valid", "train", ...; "val" also finds "valid" and
	// "validation"). Folder layouts without splits ignore it.
	Split string
	// CacheDir holds Hub downloads, under datasets/<repo>/<path>.
	// Empty means $ALEXNET_HOME, else os.UserCacheDir()/alexnet.
	CacheDir string
	// Offline forbids network access: Hub data sets must be cached.
	Offline bool
	// HubURL is the Hugging Face Hub's address; empty means
	// https://huggingface.co.
	HubURL string
	// OnProgress, when set, is called as a Hub file downloads, with its
	// name, the bytes so far and its size (-1 if unannounced).
	OnProgress func(file string, done, total int64)
	// Client makes the Hub requests; nil means http.DefaultClient.
	Client *http.Client
	// Labels names the labels file of an ImageNet-validation-style
	// folder (images with no class subfolders): a CSV of "file,wnid"
	// lines such as LOC_val_solution.csv, or the devkit's
	// ILSVRC2012_validation_ground_truth.txt with the devkit's
	// map_clsloc.txt beside it. Empty means look for those files in
	// the folder and its parent.
	Labels string
}

func (o *Options) split(def string) string {
	if o == nil || o.Split == "" {
		return def
	}
	return o.Split
}
