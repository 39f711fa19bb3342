package weights

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ClassesFile is the file beside a weights file that names its classes,
// one a line in logit order: ImageNet wnids, or any other names
// (`alexnet train` writes it for the classes it was trained on).
const ClassesFile = "classes.txt"

// ReadClasses returns the class names in the ClassesFile beside the
// weights file at weightsPath, blank lines and surrounding space dropped,
// or nil and no error when there is none.
func ReadClasses(weightsPath string) ([]string, error) {
	data, err := os.ReadFile(filepath.Join(filepath.Dir(weightsPath), ClassesFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for l := range strings.Lines(string(data)) {
		if l = strings.TrimSpace(l); l != "" {
			names = append(names, l)
		}
	}
	return names, nil
}

// WriteClasses writes names, one a line, to dir's ClassesFile.
func WriteClasses(dir string, names []string) error {
	return os.WriteFile(filepath.Join(dir, ClassesFile), []byte(strings.Join(names, "\n")+"\n"), 0o644)
}
