package jpeg

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// pilHashScript prints, per file, sha256 of np.asarray(Image.open(f)) or
// "ERR <message>" when Pillow cannot decode it.
const pilHashScript = `
import sys, hashlib, numpy as np
from PIL import Image
for f in sys.argv[1:]:
    try:
        print(f, hashlib.sha256(np.asarray(Image.open(f)).tobytes()).hexdigest())
    except Exception as e:
        print(f, "ERR", str(e).replace("\n", " "))
`

// TestPhotos compares full-size real photos (testdata/gen/photos.sh) with
// Pillow run on the fly. It needs ALEXNET_PHOTOS (a folder of .jpg files)
// and /usr/bin/python3 with Pillow and numpy; otherwise it is skipped.
// Files Pillow refuses must make Decode fail too.
func TestPhotos(t *testing.T) {
	dir := os.Getenv("ALEXNET_PHOTOS")
	if dir == "" {
		t.Skip("set ALEXNET_PHOTOS to a folder of JPEGs (testdata/gen/photos.sh)")
	}
	const py = "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import PIL, numpy").Run(); err != nil {
		t.Skipf("%s with Pillow and numpy not available: %v", py, err)
	}
	var files []string
	for _, pat := range []string{"*.jpg", "*.jpeg", "*.JPG", "*.JPEG"} {
		m, _ := filepath.Glob(filepath.Join(dir, pat))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Skipf("no JPEGs in %s", dir)
	}
	out, err := exec.Command(py, append([]string{"-c", pilHashScript}, files...)...).Output()
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f, want, _ := strings.Cut(sc.Text(), " ")
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Decode(bytes.NewReader(data))
		switch {
		case strings.HasPrefix(want, "ERR"):
			if err == nil {
				t.Errorf("%s: decoded, but Pillow says %s", filepath.Base(f), want)
			} else {
				t.Logf("%s: both fail (Pillow %s; here %v)", filepath.Base(f), want, err)
			}
		case err != nil:
			t.Errorf("%s: %v", filepath.Base(f), err)
		default:
			_, b := pixels(m)
			s := sha256.Sum256(b)
			if got := hex.EncodeToString(s[:]); got != want {
				t.Errorf("%s %v: differs from Pillow", filepath.Base(f), m.Bounds().Size())
			} else {
				t.Logf("%s %v: matches Pillow", filepath.Base(f), m.Bounds().Size())
			}
		}
	}
}
