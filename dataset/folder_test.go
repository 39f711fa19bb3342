package dataset

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// folderFixture makes an ImageFolder tree exercising torchvision's rules:
// sorted classes, nested folders, extension case, non-image files.
func folderFixture(t *testing.T) string {
	root := filepath.Join(t.TempDir(), "folder")
	for _, f := range []string{
		"b/2.png", "b/10.JPG", "b/notes.txt", "b/x.jpeg.bak",
		"a/z.webp", "a/sub/y.TIFF", "a/sub b/c.bmp", "a/a.PPM", "a/sub/deeper/d.pgm",
		"c/only.tif",
	} {
		writeFile(t, filepath.Join(root, filepath.FromSlash(f)), []byte(f))
	}
	return root
}

func TestImageFolder(t *testing.T) {
	root := folderFixture(t)
	ds, err := Open(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Written out by hand from torchvision 0.14's make_dataset.
	want := []struct {
		file  string
		label int
	}{
		{"a/a.PPM", 0}, {"a/z.webp", 0}, {"a/sub/y.TIFF", 0}, {"a/sub b/c.bmp", 0}, {"a/sub/deeper/d.pgm", 0}, // "a/sub b" < "a/sub/deeper": ' ' < '/'
		{"b/10.JPG", 1}, {"b/2.png", 1},
		{"c/only.tif", 2},
	}
	if !slices.Equal(ds.Classes(), []string{"a", "b", "c"}) {
		t.Errorf("Classes = %q", ds.Classes())
	}
	got := collect(t, ds)
	if len(got) != len(want) || ds.Len() != len(want) {
		t.Fatalf("%d samples (Len %d), want %d", len(got), ds.Len(), len(want))
	}
	for i, w := range want {
		rel, _ := filepath.Rel(root, got[i].Name)
		if filepath.ToSlash(rel) != w.file || got[i].Label != w.label || string(got[i].Data) != w.file {
			t.Errorf("sample %d = %s label %d, want %s label %d", i, rel, got[i].Label, w.file, w.label)
		}
	}
}

// TestImageFolderTorchvision compares the sample list with torchvision's
// ImageFolder on the same tree, when python3 with torchvision is there.
func TestImageFolderTorchvision(t *testing.T) {
	if testing.Short() {
		t.Skip("runs python")
	}
	py, err := exec.LookPath("/usr/bin/python3") // the reference PyTorch install
	if err != nil {
		t.Skip("no python3")
	}
	root := folderFixture(t)
	out, err := exec.Command(py, "-c", `import sys, json
try:
    from torchvision.datasets import ImageFolder
except ImportError:
    print("SKIP"); sys.exit()
d = ImageFolder(sys.argv[1])
print(json.dumps({"classes": d.classes, "samples": d.samples}))`, root).Output()
	if err != nil {
		t.Skipf("python3 failed: %v", err)
	}
	if strings.TrimSpace(string(out)) == "SKIP" {
		t.Skip("torchvision not installed")
	}
	var tv struct {
		Classes []string
		Samples [][2]any
	}
	if err := json.Unmarshal(out, &tv); err != nil {
		t.Fatal(err)
	}
	ds, err := Open(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ds.Classes(), tv.Classes) {
		t.Errorf("Classes = %q, torchvision %q", ds.Classes(), tv.Classes)
	}
	got := collect(t, ds)
	if len(got) != len(tv.Samples) {
		t.Fatalf("%d samples, torchvision %d", len(got), len(tv.Samples))
	}
	for i, s := range tv.Samples {
		if got[i].Name != s[0].(string) || float64(got[i].Label) != s[1].(float64) {
			t.Errorf("sample %d = %s %d, torchvision %v", i, got[i].Name, got[i].Label, s)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope")
	if _, err := Open(context.Background(), missing, nil); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing root: %v", err)
	}
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	var le *LayoutError
	if _, err := Open(context.Background(), empty, nil); !errors.As(err, &le) || le.Path != empty {
		t.Errorf("empty folder: %v", err)
	}
	root := folderFixture(t)
	os.MkdirAll(filepath.Join(root, "d", "sub"), 0o755)
	writeFile(t, filepath.Join(root, "d", "readme.txt"), nil)
	if _, err := Open(context.Background(), root, nil); !errors.As(err, &le) || le.Path != filepath.Join(root, "d") {
		t.Errorf("empty class folder: %v", err)
	}
	txt := filepath.Join(dir, "x.txt")
	writeFile(t, txt, nil)
	if _, err := Open(context.Background(), txt, nil); !errors.As(err, &le) || le.Path != txt {
		t.Errorf("text file: %v", err)
	}
}

func TestUnreadableSample(t *testing.T) {
	root := folderFixture(t)
	ds, err := Open(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	gone := filepath.Join(root, "b", "10.JPG")
	os.Remove(gone)
	got := collect(t, ds)
	if len(got) != 8 {
		t.Fatalf("%d samples, want 8: the stream must go on", len(got))
	}
	var se *SampleError
	if !errors.As(got[5].Err, &se) || se.Name != gone || got[5].Data != nil || !strings.Contains(got[5].Err.Error(), gone) {
		t.Errorf("sample 5: Err %v", got[5].Err)
	}
	if got[6].Err != nil {
		t.Errorf("sample 6: %v", got[6].Err)
	}
}
