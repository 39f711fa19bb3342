package imageproc

import (
	"os"
	"path/filepath"
	"testing"
)

// photoDir holds the full-size photos of testdata/gen/photos.sh; set
// ALEXNET_PHOTOS to use another folder.
func photoDir() string {
	if d := os.Getenv("ALEXNET_PHOTOS"); d != "" {
		return d
	}
	return "/tmp/alexnet-photos"
}

// TestPhotos runs two 3840x2400 photos (a PNG and a JPEG) through the whole
// transform: the large downscale to 409x256. Skipped when photos.sh has
// not been run.
func TestPhotos(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	for _, c := range loadFixtures(t).Photos {
		t.Run(c.File, func(t *testing.T) {
			p := filepath.Join(photoDir(), c.File)
			if _, err := os.Stat(p); err != nil {
				t.Skipf("%s missing: run testdata/gen/photos.sh", p)
			}
			img, err := DecodeFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if got := hash(img.Pix); got != c.RGB {
				t.Fatalf("%s: decoded pixels hash %s, PIL %s", c.File, got, c.RGB)
			}
			stages(t, c.File, img, c)
		})
	}
}

// TestTinyImageNetResizeCrop checks decoding, Resize(256), CenterCrop(224)
// and the tensor for val_0 .. val_199 of Tiny ImageNet against PIL and
// torchvision. Skipped without the dataset.
func TestTinyImageNetResizeCrop(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "data", "tiny-imagenet-200", "val", "images")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no Tiny ImageNet at %s", dir)
	}
	cases := loadFixtures(t).Tiny
	if len(cases) == 0 {
		t.Skip("fixture has no Tiny ImageNet hashes (the generator ran without the dataset)")
	}
	for _, c := range cases {
		img, err := DecodeFile(filepath.Join(dir, c.File))
		if err != nil {
			t.Errorf("%s: %v", c.File, err)
			continue
		}
		if got := hash(img.Pix); got != c.RGB {
			t.Errorf("%s: decoded pixels hash %s, PIL %s", c.File, got, c.RGB)
			continue
		}
		stages(t, c.File, img, c)
	}
}
