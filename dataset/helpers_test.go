package dataset

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alexnet-go/alexnet/internal/testutil"
)

// tinyRoot returns the Tiny ImageNet root of shared/data, or skips the
// test.
func tinyRoot(t testing.TB) string { return testutil.SharedData(t, "tiny-imagenet-200") }

// tinyValLabels maps Tiny ImageNet val file names to wnids, read with a
// plain split of val_annotations.txt.
func tinyValLabels(t testing.TB, root string) map[string]string {
	m := map[string]string{}
	for _, l := range testutil.ReadLines(t, filepath.Join(root, "val", "val_annotations.txt")) {
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
