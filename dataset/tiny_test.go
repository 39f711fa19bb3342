package dataset

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/alexnet-go/alexnet/internal/testutil"
)

func TestTinyVal(t *testing.T) {
	root := tinyRoot(t)
	ds, err := Open(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ds.Name(), "tiny-imagenet-200 (val)"; got != want {
		t.Errorf("Name = %q, want %q", got, want)
	}
	wnids := testutil.ReadLines(t, filepath.Join(root, "wnids.txt"))
	if !slices.Equal(ds.Classes(), wnids) {
		t.Errorf("Classes differ from wnids.txt order")
	}
	labels := tinyValLabels(t, root)
	if ds.Len() != len(labels) || ds.Len() != 10000 {
		t.Fatalf("Len = %d, want %d (10000)", ds.Len(), len(labels))
	}
	n := 0
	err = ds.Each(context.Background(), func(s Sample) error {
		file := fmt.Sprintf("val_%d.JPEG", n)
		if s.Index != n || filepath.Base(s.Name) != file {
			return fmt.Errorf("sample %d is %d %s, want %s", n, s.Index, s.Name, file)
		}
		if s.Err != nil {
			return s.Err
		}
		if wnids[s.Label] != labels[file] {
			return fmt.Errorf("%s: label %s, want %s", file, wnids[s.Label], labels[file])
		}
		if n%997 == 0 {
			b, err := os.ReadFile(filepath.Join(root, "val", "images", file))
			if err != nil || !bytes.Equal(b, s.Data) {
				return fmt.Errorf("%s: data differ from the file (%v)", file, err)
			}
		}
		n++
		return nil
	})
	if err != nil || n != 10000 {
		t.Fatalf("Each: %v after %d samples", err, n)
	}
}

func TestTinyTrainStops(t *testing.T) {
	root := tinyRoot(t)
	ds, err := Open(context.Background(), root, &Options{Split: "train"})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Len() != 200*250 {
		t.Errorf("Len = %d, want 50000", ds.Len())
	}
	wnids := testutil.ReadLines(t, filepath.Join(root, "wnids.txt"))
	gold := slices.Index(wnids, "n01443537") // the first sorted wnid
	stop := errors.New("stop")
	n := 0
	err = ds.Each(context.Background(), func(s Sample) error {
		want := fmt.Sprintf("n01443537_%d.JPEG", n)
		if filepath.Base(s.Name) != want || s.Label != gold || s.Err != nil {
			return fmt.Errorf("sample %d: %s label %d err %v, want %s label %d", n, s.Name, s.Label, s.Err, want, gold)
		}
		n++
		if n == 20 {
			return stop
		}
		return nil
	})
	if err != stop {
		t.Fatalf("Each returned %v, want fn's error", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := ds.Each(ctx, func(Sample) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Each with a cancelled context returned %v", err)
	}
}

// tinyFixture makes a small Tiny ImageNet layout with the given
// val_annotations.txt content.
func tinyFixture(t *testing.T, annotations string) string {
	root := filepath.Join(t.TempDir(), "tiny")
	writeFile(t, filepath.Join(root, "wnids.txt"), []byte("n02124075\nn01443537\n"))
	for i := 0; i < 3; i++ {
		writeFile(t, filepath.Join(root, "val", "images", fmt.Sprintf("val_%d.JPEG", i)), []byte{byte(i)})
	}
	if annotations != "" {
		writeFile(t, filepath.Join(root, "val", "val_annotations.txt"), []byte(annotations))
	}
	return root
}

func TestTinyBadAnnotations(t *testing.T) {
	for _, tc := range []struct {
		name, content string
		line          int
	}{
		{"fields", "val_0.JPEG\tn02124075\t0\t0\t1\t1\nval_1.JPEG\tn01443537\n", 2},
		{"wnid", "val_0.JPEG\tn02124075\t0\t0\t1\t1\nval_1.JPEG\tn01443537\t0\t0\t1\t1\nval_2.JPEG\tgoldfish\t0\t0\t1\t1\n", 3},
		{"unknown wnid", "val_0.JPEG\tn09999999\t0\t0\t1\t1\n", 1},
		{"path", "../x.JPEG\tn02124075\t0\t0\t1\t1\n", 1},
	} {
		root := tinyFixture(t, tc.content)
		_, err := Open(context.Background(), root, nil)
		var fe *FormatError
		if !errors.As(err, &fe) || fe.Line != tc.line || fe.File != filepath.Join(root, "val", "val_annotations.txt") {
			t.Errorf("%s: err %v, want a FormatError at line %d of val_annotations.txt", tc.name, err, tc.line)
		}
	}
	root := tinyFixture(t, "")
	_, err := Open(context.Background(), root, nil)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(root, "val", "val_annotations.txt")) {
		t.Errorf("missing annotations: err %v, want one naming the file", err)
	}
}

func TestTinyOrderAndMissingImage(t *testing.T) {
	root := tinyFixture(t, "val_2.JPEG\tn01443537\t0\t0\t1\t1\nval_10.JPEG\tn02124075\t0\t0\t1\t1\nval_0.JPEG\tn02124075\t0\t0\t1\t1\n")
	ds, err := Open(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := collect(t, ds)
	want := []struct {
		file  string
		label int
	}{{"val_0.JPEG", 0}, {"val_2.JPEG", 1}, {"val_10.JPEG", 0}}
	if len(got) != len(want) {
		t.Fatalf("%d samples, want %d", len(got), len(want))
	}
	for i, w := range want {
		s := got[i]
		if filepath.Base(s.Name) != w.file || s.Label != w.label || s.Index != i {
			t.Errorf("sample %d = %s label %d, want %s label %d", i, s.Name, s.Label, w.file, w.label)
		}
	}
	// val_10.JPEG does not exist: an error sample naming it, not a stop.
	if got[2].Err == nil || got[2].Data != nil || !strings.Contains(got[2].Err.Error(), "val_10.JPEG") {
		t.Errorf("missing file: Err %v", got[2].Err)
	}
	if got[0].Err != nil || !bytes.Equal(got[0].Data, []byte{0}) {
		t.Errorf("val_0: %v %v", got[0].Err, got[0].Data)
	}
}
