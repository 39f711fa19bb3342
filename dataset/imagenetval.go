package dataset

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/alexnet-go/alexnet/imagenet"
)

// Names of the labels files an ImageNet validation folder may carry.
const (
	locSolution  = "LOC_val_solution.csv"                   // Kaggle ILSVRC (LOC) challenge
	groundTruth  = "ILSVRC2012_validation_ground_truth.txt" // ILSVRC2012 devkit data/
	clsLocMap    = "map_clsloc.txt"                         // ILSVRC devkit: wnid, ILSVRC2012_ID, name
	valLabelsCSV = "val_labels.csv"                         // our own: file,wnid
)

// openImageNetVal opens a folder of images without class subfolders, the
// ImageNet validation layout, labelled by labels (Options.Labels) or by a
// labels file found in the folder or its parent. Classes are ImageNet-1k's
// 1000 wnids in sorted order (torchvision's class indices).
//
// A CSV ("file,wnid" or LOC_val_solution.csv) labels images by name; an
// image it does not name has label -1. The devkit's ground truth file
// labels the sorted images by position with ILSVRC2012_IDs, whose order is
// that of the devkit's meta.mat, not sorted wnids; it is read only with
// the devkit's map_clsloc.txt in the same folder, which gives each ID's
// wnid (this package does not embed that mapping).
func openImageNetVal(root string, images []string, labels string) (Dataset, error) {
	if labels == "" {
		for _, dir := range []string{root, filepath.Dir(root)} {
			for _, n := range []string{locSolution, valLabelsCSV, groundTruth} {
				if p := filepath.Join(dir, n); isFile(p) {
					labels = p
					break
				}
			}
			if labels != "" {
				break
			}
		}
	}
	if labels == "" {
		return nil, &LayoutError{Path: root, Msg: fmt.Sprintf("images without class folders need a labels file (%s, %s or %s; Options.Labels)", locSolution, valLabelsCSV, groundTruth)}
	}
	d := &fileSet{name: filepath.Base(root), classes: make([]string, imagenet.NumClasses)}
	for i := range d.classes {
		d.classes[i] = imagenet.WNID(i)
	}
	for _, n := range images {
		d.paths = append(d.paths, filepath.Join(root, n))
	}
	if filepath.Base(labels) == groundTruth || strings.HasSuffix(labels, "ground_truth.txt") {
		if err := labelByPosition(d, labels); err != nil {
			return nil, err
		}
		return d, nil
	}
	lines, err := readFileWith(labels, parseLabelsCSV)
	if err != nil {
		return nil, err
	}
	byStem := make(map[string]labelLine, len(lines))
	for _, l := range lines {
		byStem[stem(l.File)] = l
	}
	for _, n := range images {
		c := -1
		if l, ok := byStem[stem(n)]; ok {
			i, ok := imagenet.Index(l.Class)
			if !ok {
				return nil, &FormatError{File: labels, Line: l.Line, Msg: fmt.Sprintf("wnid %s is not an ImageNet-1k class", l.Class)}
			}
			c = i
		}
		d.labels = append(d.labels, c)
	}
	return d, nil
}

// labelByPosition labels d's sorted images from the devkit's ground truth
// file and the map_clsloc.txt beside it.
func labelByPosition(d *fileSet, file string) error {
	mapFile := filepath.Join(filepath.Dir(file), clsLocMap)
	if !isFile(mapFile) {
		return &FormatError{File: file, Msg: "ILSVRC2012_IDs follow the devkit's meta.mat order, not sorted wnids; put the devkit's " + clsLocMap + " beside it, or use a file,wnid CSV such as " + locSolution}
	}
	ids, err := readFileWith(file, parseGroundTruth)
	if err != nil {
		return err
	}
	toWNID, err := readFileWith(mapFile, parseClsLoc)
	if err != nil {
		return err
	}
	if len(ids) != len(d.paths) {
		return &FormatError{File: file, Msg: fmt.Sprintf("%d labels for %d images", len(ids), len(d.paths))}
	}
	for i, id := range ids {
		w, ok := toWNID[id]
		if !ok {
			return &FormatError{File: file, Line: i + 1, Msg: fmt.Sprintf("ILSVRC2012_ID %d is not in %s", id, mapFile)}
		}
		c, ok := imagenet.Index(w)
		if !ok {
			return &FormatError{File: mapFile, Msg: fmt.Sprintf("wnid %s is not an ImageNet-1k class", w)}
		}
		d.labels = append(d.labels, c)
	}
	return nil
}

// stem returns name without its folder and extension.
func stem(name string) string {
	name = filepath.Base(name)
	return strings.TrimSuffix(name, filepath.Ext(name))
}
