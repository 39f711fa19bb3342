package dataset

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// imgExtensions is torchvision's IMG_EXTENSIONS (datasets/folder.py),
// matched case-insensitively.
var imgExtensions = []string{".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp"}

// hasImageExt reports whether name ends in one of imgExtensions, as
// torchvision's has_file_allowed_extension tests it.
func hasImageExt(name string) bool {
	l := strings.ToLower(name)
	for _, e := range imgExtensions {
		if strings.HasSuffix(l, e) {
			return true
		}
	}
	return false
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// readFileWith opens file and parses it with parse; open errors name the
// file.
func readFileWith[T any](file string, parse func(io.Reader, string) (T, error)) (T, error) {
	f, err := os.Open(file)
	if err != nil {
		var zero T
		return zero, fmt.Errorf("dataset: %w", err)
	}
	defer f.Close()
	return parse(f, file)
}

// absOr returns the absolute form of p, or p when that fails.
func absOr(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
