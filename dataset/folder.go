package dataset

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// openImageFolder opens root as torchvision's ImageFolder does
// (datasets/folder.py, 0.14): the classes are the sorted names of root's
// subfolders; each class's images are the files under its folder, walked
// with folders in sorted path order and files sorted within each, whose
// names end in one of IMG_EXTENSIONS (any case). A class folder without
// images is an error, as in torchvision.
func openImageFolder(root string, classes []string) (Dataset, error) {
	if len(classes) == 0 {
		return nil, &LayoutError{Path: root, Msg: "no class folders"}
	}
	d := &fileSet{name: filepath.Base(root), classes: classes}
	for c, name := range classes {
		files, err := walkSorted(filepath.Join(root, name))
		if err != nil {
			return nil, fmt.Errorf("dataset: %w", err)
		}
		if len(files) == 0 {
			return nil, &LayoutError{Path: filepath.Join(root, name), Msg: "class folder has no images (" + strings.Join(imgExtensions, " ") + ")"}
		}
		for _, f := range files {
			d.paths = append(d.paths, f)
			d.labels = append(d.labels, c)
		}
	}
	return d, nil
}

// subdirs returns the sorted names of dir's subfolders (following links)
// and of its image files.
func subdirs(dir string) (dirs, images []string, err error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("dataset: %w", err)
	}
	for _, e := range ents {
		if isDir(filepath.Join(dir, e.Name())) {
			dirs = append(dirs, e.Name())
		} else if hasImageExt(e.Name()) {
			images = append(images, e.Name())
		}
	}
	sort.Strings(dirs)
	sort.Strings(images)
	return dirs, images, nil
}

// walkSorted lists the image files under dir like
// sorted(os.walk(dir, followlinks=True)) with sorted file names: folders
// in sorted order of their paths, files sorted within each.
func walkSorted(dir string) ([]string, error) {
	type folder struct {
		path  string
		files []string
	}
	var folders []folder
	seen := map[string]bool{}
	var visit func(p string, depth int) error
	visit = func(p string, depth int) error {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			if seen[real] || depth > 64 {
				return nil // a link loop
			}
			seen[real] = true
		}
		ents, err := os.ReadDir(p)
		if err != nil {
			return err
		}
		f := folder{path: p}
		for _, e := range ents {
			q := filepath.Join(p, e.Name())
			st, err := os.Stat(q)
			switch {
			case err == nil && st.IsDir():
				if err := visit(q, depth+1); err != nil {
					return err
				}
			case hasImageExt(e.Name()):
				f.files = append(f.files, e.Name())
			}
		}
		sort.Strings(f.files)
		folders = append(folders, f)
		return nil
	}
	if err := visit(dir, 0); err != nil {
		return nil, err
	}
	sort.Slice(folders, func(i, j int) bool { return folders[i].path < folders[j].path })
	var out []string
	for _, f := range folders {
		for _, n := range f.files {
			out = append(out, filepath.Join(f.path, n))
		}
	}
	return out, nil
}
