package dataset

import (
	"bufio"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedData returns shared/data, found by walking up from the package
// folder, or skips the test.
func sharedData(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "shared", "data")
		if isDir(filepath.Join(p, "tiny-imagenet-200")) {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("shared/data/tiny-imagenet-200 not found above the package folder; skipping the test on real data")
		}
		dir = parent
	}
}

// tinyRoot returns the Tiny ImageNet root of shared/data.
func tinyRoot(t testing.TB) string { return filepath.Join(sharedData(t), "tiny-imagenet-200") }

// readLines returns the non-blank lines of a file.
func readLines(t testing.TB, file string) []string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// tinyValLabels maps Tiny ImageNet val file names to wnids, read with a
// plain split of val_annotations.txt.
func tinyValLabels(t testing.TB, root string) map[string]string {
	m := map[string]string{}
	for _, l := range readLines(t, filepath.Join(root, "val", "val_annotations.txt")) {
		f := strings.Split(l, "\t")
		m[f[0]] = f[1]
	}
	return m
}

// collect returns all samples of ds.
func collect(t testing.TB, ds Dataset) []Sample {
	t.Helper()
	var out []Sample
	if err := ds.Each(context.Background(), func(s Sample) error { out = append(out, s); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// firstN is the first n samples of a data set.
type firstN struct {
	Dataset
	n int
}

var errEnough = errors.New("enough")

func (d firstN) Len() int { return d.n }

func (d firstN) Each(ctx context.Context, fn func(Sample) error) error {
	err := d.Dataset.Each(ctx, func(s Sample) error {
		if s.Index >= d.n {
			return errEnough
		}
		return fn(s)
	})
	if err == errEnough {
		return nil
	}
	return err
}

func writeFile(t testing.TB, p string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
