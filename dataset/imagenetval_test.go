package dataset

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/alexnet-go/alexnet/internal/testutil"
)

// valFixture makes an ImageNet validation folder of n images.
func valFixture(t *testing.T, n int) string {
	root := filepath.Join(t.TempDir(), "val")
	for i := 1; i <= n; i++ {
		writeFile(t, filepath.Join(root, fmt.Sprintf("ILSVRC2012_val_%08d.JPEG", i)), []byte{byte(i)})
	}
	return root
}

// imagenetIndex returns the line of wnid in shared/data/imagenet/wnids.txt.
func imagenetIndex(t *testing.T, wnid string) int {
	i := slices.Index(testutil.ReadLines(t, testutil.SharedData(t, "imagenet", "wnids.txt")), wnid)
	if i < 0 {
		t.Fatalf("%s not in wnids.txt", wnid)
	}
	return i
}

func TestImageNetValLOC(t *testing.T) {
	root := valFixture(t, 3)
	writeFile(t, filepath.Join(filepath.Dir(root), "LOC_val_solution.csv"), []byte(
		"ImageId,PredictionString\n"+
			"ILSVRC2012_val_00000003,n01443537 10 20 30 40 n01443537 1 2 3 4 \n"+
			"ILSVRC2012_val_00000001,n01751748 111 26 415 351 \n"))
	ds, err := Open(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Classes()) != 1000 || ds.Classes()[1] != "n01443537" {
		t.Errorf("Classes: %d, [1] = %s", len(ds.Classes()), ds.Classes()[1])
	}
	got := collect(t, ds)
	want := []int{imagenetIndex(t, "n01751748"), -1, imagenetIndex(t, "n01443537")}
	for i, s := range got {
		if s.Label != want[i] || s.Data[0] != byte(i+1) {
			t.Errorf("sample %d: %s label %d, want %d", i, s.Name, s.Label, want[i])
		}
	}
}

func TestImageNetValGroundTruth(t *testing.T) {
	root := valFixture(t, 2)
	gt := filepath.Join(root, "..", "ILSVRC2012_validation_ground_truth.txt")
	writeFile(t, gt, []byte("2\n1\n"))
	_, err := Open(context.Background(), root, nil)
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("ground truth without map_clsloc.txt: %v", err)
	}
	// The devkit's first two IDs (map_clsloc.txt: n02119789 1 kit_fox,
	// n02100735 2 English_setter).
	writeFile(t, filepath.Join(root, "..", "map_clsloc.txt"), []byte("n02119789 1 kit_fox\nn02100735 2 English_setter\n"))
	ds, err := Open(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := collect(t, ds)
	if got[0].Label != imagenetIndex(t, "n02100735") || got[1].Label != imagenetIndex(t, "n02119789") {
		t.Errorf("labels %d %d", got[0].Label, got[1].Label)
	}
	writeFile(t, gt, []byte("2\n7\n"))
	if _, err := Open(context.Background(), root, nil); !errors.As(err, &fe) || fe.Line != 2 {
		t.Errorf("unknown ID: %v", err)
	}
}

func TestImageNetValLabelsOption(t *testing.T) {
	root := valFixture(t, 2)
	labels := filepath.Join(t.TempDir(), "labels.csv")
	writeFile(t, labels, []byte("ILSVRC2012_val_00000002.JPEG,n01443537\nILSVRC2012_val_00000001.JPEG,nXXX\n"))
	_, err := Open(context.Background(), root, &Options{Labels: labels})
	var fe *FormatError
	if !errors.As(err, &fe) || fe.File != labels || fe.Line != 2 {
		t.Fatalf("bad wnid: %v", err)
	}
	writeFile(t, labels, []byte("ILSVRC2012_val_00000002.JPEG,n01443537\nILSVRC2012_val_00000001.JPEG,n01440764\n"))
	ds, err := Open(context.Background(), root, &Options{Labels: labels})
	if err != nil {
		t.Fatal(err)
	}
	got := collect(t, ds)
	if got[0].Label != imagenetIndex(t, "n01440764") || got[1].Label != imagenetIndex(t, "n01443537") {
		t.Errorf("labels %d %d", got[0].Label, got[1].Label)
	}
	noLabels := valFixture(t, 1)
	var le *LayoutError
	if _, err := Open(context.Background(), noLabels, nil); !errors.As(err, &le) || le.Path != noLabels {
		t.Errorf("no labels file: %v", err)
	}
}
