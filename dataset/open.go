package dataset

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Open recognises what spec names and opens its split:
//
//   - "hf:owner/name": a Hugging Face Hub data set, as parquet files
//     downloaded into the cache (see Options);
//   - a .parquet file, or a folder with .parquet files in it, in data/ or
//     under parquet/ (a Hub snapshot or our cache): the files of the split
//     are those named "<split>-*" or "<split>.*" or in a folder named
//     after the split; with no Split, the first of valid, validation,
//     val and test that has files, else all of them;
//   - a Tiny ImageNet root (wnids.txt beside val/ or train/);
//   - a folder of class folders: torchvision's ImageFolder (ImageNet's
//     <wnid>/ layout is this with wnids as class names);
//   - a folder of images and a labels file: the ImageNet validation
//     layout (see Options.Labels).
//
// Missing paths, unknown layouts and folders without classes are errors
// that name the path. A nil opt means defaults.
func Open(ctx context.Context, spec string, opt *Options) (Dataset, error) {
	if opt == nil {
		opt = &Options{}
	}
	if repo, ok := strings.CutPrefix(spec, "hf:"); ok {
		return openHub(ctx, repo, opt)
	}
	st, err := os.Stat(spec)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	if !st.IsDir() {
		if strings.EqualFold(filepath.Ext(spec), ".parquet") {
			return openParquet(filepath.Base(spec), []string{spec}, fallbackClasses(spec))
		}
		return nil, &LayoutError{Path: spec, Msg: "not a folder or a .parquet file"}
	}
	if isTiny(spec) {
		return openTiny(spec, opt.split("val"))
	}
	dirs, images, err := subdirs(spec)
	if err != nil {
		return nil, err
	}
	if len(images) > 0 {
		return openImageNetVal(spec, images, opt.Labels)
	}
	files, err := parquetFiles(spec)
	if err != nil {
		return nil, err
	}
	if len(files) > 0 {
		split, chosen, err := pickSplit(files, opt.Split)
		if err != nil {
			return nil, &LayoutError{Path: spec, Msg: err.Error()}
		}
		name := filepath.Base(spec)
		if split != "" {
			name += " (" + split + ")"
		}
		return openParquet(name, chosen, fallbackClasses(absOr(spec)))
	}
	if len(dirs) == 0 {
		return nil, &LayoutError{Path: spec, Msg: "unknown layout: no class folders, images or parquet files"}
	}
	return openImageFolder(spec, dirs)
}

// fallbackClasses returns the classes of a parquet data set without
// "huggingface" metadata: Tiny ImageNet's sorted wnids when the path
// names tiny-imagenet (as Maysee/tiny-imagenet's files and cache do),
// else nil.
func fallbackClasses(p string) []string {
	if strings.Contains(strings.ToLower(filepath.ToSlash(absOr(p))), "tiny-imagenet") {
		return TinyImageNetWNIDs()
	}
	return nil
}

// parquetFiles lists, sorted, the .parquet files in dir, in dir/data and
// anywhere under dir/parquet.
func parquetFiles(dir string) ([]string, error) {
	var out []string
	for _, d := range []string{dir, filepath.Join(dir, "data")} {
		ents, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range ents {
			if !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ".parquet") {
				out = append(out, filepath.Join(d, e.Name()))
			}
		}
	}
	if isDir(filepath.Join(dir, "parquet")) {
		err := filepath.WalkDir(filepath.Join(dir, "parquet"), func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !e.IsDir() && strings.EqualFold(filepath.Ext(p), ".parquet") {
				out = append(out, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("dataset: %w", err)
		}
	}
	sort.Strings(out)
	return out, nil
}

// pickSplit chooses the files of split among files.
func pickSplit(files []string, split string) (string, []string, error) {
	match := func(s string) []string {
		var out []string
		for _, f := range files {
			b := filepath.Base(f)
			if strings.HasPrefix(b, s+"-") || strings.HasPrefix(b, s+".") || filepath.Base(filepath.Dir(f)) == s {
				out = append(out, f)
			}
		}
		return out
	}
	try := []string{split}
	switch split {
	case "":
		try = []string{"valid", "validation", "val", "test"}
	case "val", "valid", "validation":
		try = []string{split, "valid", "validation", "val"}
	}
	for _, s := range try {
		if m := match(s); len(m) > 0 {
			return s, m, nil
		}
	}
	if split == "" {
		return "", files, nil
	}
	return "", nil, fmt.Errorf("no parquet files of split %q", split)
}
