package dataset

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// isTiny reports whether root has Tiny ImageNet's layout: wnids.txt and a
// val or train folder.
func isTiny(root string) bool {
	if !isFile(filepath.Join(root, "wnids.txt")) {
		return false
	}
	return isDir(filepath.Join(root, "val")) || isDir(filepath.Join(root, "train"))
}

// openTiny opens Tiny ImageNet (CS231n) in its original layout. Classes
// are the wnids in wnids.txt's order (not sorted): callers map them to
// ImageNet-1k by wnid. The "val" split lists the images of
// val/val_annotations.txt in numeric order (val_0 .. val_9999); "train"
// lists train/<wnid>/images/* with the classes in sorted wnid order and
// the files in numeric order.
func openTiny(root, split string) (Dataset, error) {
	wf := filepath.Join(root, "wnids.txt")
	wnids, err := readFileWith(wf, readWNIDs)
	if err != nil {
		return nil, err
	}
	index := make(map[string]int, len(wnids))
	for i, w := range wnids {
		index[w] = i
	}
	d := &fileSet{name: fmt.Sprintf("%s (%s)", filepath.Base(root), split), classes: wnids}
	switch split {
	case "val":
		af := filepath.Join(root, "val", "val_annotations.txt")
		lines, err := readFileWith(af, parseValAnnotations)
		if err != nil {
			return nil, err
		}
		sort.SliceStable(lines, func(i, j int) bool { return naturalLess(lines[i].File, lines[j].File) })
		for _, l := range lines {
			c, ok := index[l.Class]
			if !ok {
				return nil, &FormatError{File: af, Line: l.Line, Msg: fmt.Sprintf("wnid %s is not in %s", l.Class, wf)}
			}
			d.paths = append(d.paths, filepath.Join(root, "val", "images", l.File))
			d.labels = append(d.labels, c)
		}
	case "train":
		sorted := append([]string(nil), wnids...)
		sort.Strings(sorted)
		for _, w := range sorted {
			dir := filepath.Join(root, "train", w, "images")
			ents, err := os.ReadDir(dir)
			if err != nil {
				return nil, fmt.Errorf("dataset: %w", err)
			}
			var names []string
			for _, e := range ents {
				if !e.IsDir() && hasImageExt(e.Name()) {
					names = append(names, e.Name())
				}
			}
			if len(names) == 0 {
				return nil, &LayoutError{Path: dir, Msg: "no images"}
			}
			sort.Slice(names, func(i, j int) bool { return naturalLess(names[i], names[j]) })
			for _, n := range names {
				d.paths = append(d.paths, filepath.Join(dir, n))
				d.labels = append(d.labels, index[w])
			}
		}
	default:
		return nil, &LayoutError{Path: root, Msg: fmt.Sprintf("Tiny ImageNet has no split %q (want val or train)", split)}
	}
	return d, nil
}
