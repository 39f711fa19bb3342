package dataset

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/alexnet-go/alexnet/internal/testutil"
	"github.com/alexnet-go/alexnet/weights"
)

// tinyRows returns the first n Tiny ImageNet val images with labels that
// index the sorted wnids, as Maysee/tiny-imagenet labels them.
func tinyRows(t testing.TB, n int) (rows []hfRow, sorted []string) {
	root := tinyRoot(t)
	sorted = testutil.ReadLines(t, filepath.Join(root, "wnids.txt"))
	sort.Strings(sorted)
	labels := tinyValLabels(t, root)
	for i := 0; i < n; i++ {
		file := fmt.Sprintf("val_%d.JPEG", i)
		b, err := os.ReadFile(filepath.Join(root, "val", "images", file))
		if err != nil {
			t.Fatal(err)
		}
		l := int64(slices.Index(sorted, labels[file]))
		rows = append(rows, hfRow{Image: &hfImage{Bytes: b}, Label: &l})
	}
	return rows, sorted
}

// writeHF writes rows as parquet, perGroup rows per row group, with the
// "huggingface" metadata naming names when names is not nil.
func writeHF(t testing.TB, file string, rows []hfRow, perGroup int, names []string) []byte {
	var buf bytes.Buffer
	var opts []parquet.WriterOption
	if names != nil {
		q := make([]string, len(names))
		for i, n := range names {
			q[i] = `"` + n + `"`
		}
		opts = append(opts, parquet.KeyValueMetadata("huggingface",
			`{"info": {"features": {"image": {"_type": "Image"}, "label": {"names": [`+strings.Join(q, ", ")+`], "_type": "ClassLabel"}}}}`))
	}
	w := parquet.NewGenericWriter[hfRow](&buf, opts...)
	for i := 0; i < len(rows); i += perGroup {
		if _, err := w.Write(rows[i:min(i+perGroup, len(rows))]); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if file != "" {
		writeFile(t, file, buf.Bytes())
	}
	return buf.Bytes()
}

// checkRows compares ds's samples with rows.
func checkRows(t *testing.T, ds Dataset, rows []hfRow, file string) {
	t.Helper()
	got := collect(t, ds)
	if len(got) != len(rows) || ds.Len() != len(rows) {
		t.Fatalf("%d samples, Len %d, want %d", len(got), ds.Len(), len(rows))
	}
	for i, s := range got {
		name := fmt.Sprintf("%s#%d", file, i)
		if rows[i].Image.Path != "" {
			name = rows[i].Image.Path
		}
		if s.Err != nil || s.Index != i || s.Name != name || s.Label != int(*rows[i].Label) || !bytes.Equal(s.Data, rows[i].Image.Bytes) {
			t.Fatalf("sample %d: %s label %d err %v; want %s label %d and the source bytes", i, s.Name, s.Label, s.Err, name, *rows[i].Label)
		}
	}
}

func TestParquetLocal(t *testing.T) {
	rows, sorted := tinyRows(t, 40)
	dir := t.TempDir()
	names := make([]string, len(sorted))
	for i := range names {
		names[i] = "class" + fmt.Sprint(i)
	}
	withMeta := filepath.Join(dir, "a", "valid-00000-of-00001.parquet")
	writeHF(t, withMeta, rows, 7, names)
	ds, err := Open(context.Background(), withMeta, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ds.Classes(), names) {
		t.Errorf("classes not from the huggingface metadata")
	}
	checkRows(t, ds, rows, withMeta)

	// Without metadata, a tiny-imagenet path means sorted Tiny ImageNet wnids.
	tiny := filepath.Join(dir, "tiny-imagenet", "data", "valid-00000-of-00001.parquet")
	rows[3].Image.Path = "val_3.JPEG"
	writeHF(t, tiny, rows, 16, nil)
	ds, err = Open(context.Background(), filepath.Dir(filepath.Dir(tiny)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ds.Classes(), sorted) || ds.Classes()[0] != "n01443537" {
		t.Errorf("classes without metadata: %q", ds.Classes()[:3])
	}
	if ds.Name() != "tiny-imagenet (valid)" {
		t.Errorf("Name = %q", ds.Name())
	}
	checkRows(t, ds, rows, tiny)

	// Elsewhere, decimal class names up to the largest label.
	other := filepath.Join(dir, "other.parquet")
	writeHF(t, other, rows[:5], 5, nil)
	ds, err = Open(context.Background(), other, nil)
	if err != nil {
		t.Fatal(err)
	}
	var maxLabel int64
	for _, r := range rows[:5] {
		maxLabel = max(maxLabel, *r.Label)
	}
	if len(ds.Classes()) != int(maxLabel)+1 || ds.Classes()[maxLabel] != fmt.Sprint(maxLabel) {
		t.Errorf("decimal classes: %d, want %d", len(ds.Classes()), maxLabel+1)
	}

	// A split that is not there.
	var le *LayoutError
	if _, err := Open(context.Background(), filepath.Join(dir, "tiny-imagenet"), &Options{Split: "train"}); !errors.As(err, &le) {
		t.Errorf("missing split: %v", err)
	}
}

func TestParquetBad(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.parquet")
	writeFile(t, junk, []byte("PAR1 this is not parquet PAR1"))
	var fe *FormatError
	if _, err := Open(context.Background(), junk, nil); !errors.As(err, &fe) || fe.File != junk {
		t.Errorf("junk: %v", err)
	}
	// Labels out of range and empty images are sample errors.
	l := int64(5)
	rows := []hfRow{{Image: &hfImage{Bytes: []byte("x")}, Label: &l}, {Image: &hfImage{}, Label: new(int64)}, {Image: &hfImage{Bytes: []byte("y")}, Label: new(int64)}}
	f := filepath.Join(dir, "bad.parquet")
	writeHF(t, f, rows, 3, []string{"a", "b"})
	ds, err := Open(context.Background(), f, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := collect(t, ds)
	if len(got) != 3 || got[0].Err == nil || got[1].Err == nil || got[2].Err != nil || string(got[2].Data) != "y" {
		t.Errorf("bad rows: %+v", got)
	}
	// A file replaced after Open: each of its rows is an error sample.
	writeFile(t, f, []byte("garbage"))
	got = collect(t, ds)
	if len(got) != 3 || got[0].Err == nil || got[2].Err == nil || !strings.Contains(got[2].Err.Error(), f) {
		t.Errorf("replaced file: %+v", got)
	}
}

// hubServer serves parquet files at their Hub paths and counts requests.
func hubServer(t *testing.T, files map[string][]byte) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		b, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestHubTinyImageNet(t *testing.T) {
	rows, sorted := tinyRows(t, 30)
	data := writeHF(t, "", rows, 10, nil) // Maysee/tiny-imagenet has no names metadata
	const p = "/datasets/Maysee/tiny-imagenet/resolve/main/data/valid-00000-of-00001-70d52db3c749a935.parquet"
	srv, n := hubServer(t, map[string][]byte{p: data})
	cache := t.TempDir()
	var progressFile string
	var progressDone int64
	opt := &Options{Split: "valid", CacheDir: cache, HubURL: srv.URL, Client: srv.Client(),
		OnProgress: func(file string, done, _ int64) { progressFile, progressDone = file, done }}
	ds, err := Open(context.Background(), "hf:Maysee/tiny-imagenet", opt)
	if err != nil {
		t.Fatal(err)
	}
	if progressFile != path.Base(p) || progressDone != int64(len(data)) {
		t.Errorf("last progress report %q %d bytes, want %q %d", progressFile, progressDone, path.Base(p), len(data))
	}
	cached := filepath.Join(cache, "datasets", "Maysee", "tiny-imagenet", "data", "valid-00000-of-00001-70d52db3c749a935.parquet")
	if b, err := os.ReadFile(cached); err != nil || !bytes.Equal(b, data) {
		t.Fatalf("cache file: %v", err)
	}
	if !slices.Equal(ds.Classes(), sorted) || ds.Name() != "Maysee/tiny-imagenet (valid)" {
		t.Errorf("classes or name (%q)", ds.Name())
	}
	checkRows(t, ds, rows, cached)
	if n.Load() != 1 {
		t.Errorf("%d requests, want 1", n.Load())
	}
	// Cached: no second request; "val" means "valid".
	opt.Split = "val"
	if _, err := Open(context.Background(), "hf:Maysee/tiny-imagenet", opt); err != nil || n.Load() != 1 {
		t.Errorf("cache reuse: %v, %d requests", err, n.Load())
	}
	opt.Offline = true
	if _, err := Open(context.Background(), "hf:Maysee/tiny-imagenet", opt); err != nil {
		t.Errorf("offline from the cache: %v", err)
	}
	// Offline, not cached: names the file and the URL.
	opt.Split = "train"
	var oe *OfflineError
	_, err = Open(context.Background(), "hf:Maysee/tiny-imagenet", opt)
	if !errors.As(err, &oe) || !strings.Contains(err.Error(), "train-00000-of-00001-1359597a978bc4fa.parquet") || !strings.Contains(err.Error(), srv.URL+"/datasets/Maysee/tiny-imagenet/resolve/main/data/train-") {
		t.Errorf("offline: %v", err)
	}
	// Online, 404.
	opt.Offline = false
	var he *weights.HTTPError
	if _, err := Open(context.Background(), "hf:Maysee/tiny-imagenet", opt); !errors.As(err, &he) || !strings.Contains(he.Status, "404") {
		t.Errorf("404: %v", err)
	}
	if isFile(filepath.Join(cache, "datasets", "Maysee", "tiny-imagenet", "data", "train-00000-of-00001-1359597a978bc4fa.parquet")) {
		t.Errorf("a failed download left a file")
	}
}

func TestHubParquetAPI(t *testing.T) {
	rows, sorted := tinyRows(t, 12)
	a := writeHF(t, "", rows[:5], 5, sorted)
	b := writeHF(t, "", rows[5:], 4, sorted)
	files := map[string][]byte{
		"/api/datasets/someone/set/parquet/default/validation/0.parquet": a,
		"/api/datasets/someone/set/parquet/default/validation/1.parquet": b,
	}
	srv, n := hubServer(t, files)
	files["/api/datasets/someone/set/parquet/default/validation"] = []byte(fmt.Sprintf(`["%[1]s/api/datasets/someone/set/parquet/default/validation/0.parquet","%[1]s/api/datasets/someone/set/parquet/default/validation/1.parquet"]`, srv.URL))
	cache := t.TempDir()
	opt := &Options{CacheDir: cache, HubURL: srv.URL}
	ds, err := Open(context.Background(), "hf:someone/set", opt)
	if err != nil {
		t.Fatal(err)
	}
	if n.Load() != 3 || ds.Name() != "someone/set (validation)" {
		t.Errorf("%d requests, want 3; name %q", n.Load(), ds.Name())
	}
	got := collect(t, ds)
	if len(got) != 12 || !bytes.Equal(got[7].Data, rows[7].Image.Bytes) || got[7].Label != int(*rows[7].Label) ||
		!strings.HasSuffix(got[7].Name, filepath.Join("parquet", "default", "validation", "1.parquet")+"#2") {
		t.Errorf("samples: %d, sample 7 %s", len(got), got[7].Name)
	}
	opt.Offline = true
	if _, err := Open(context.Background(), "hf:someone/set", opt); err != nil || n.Load() != 3 {
		t.Errorf("offline: %v, %d requests", err, n.Load())
	}
	if _, err := Open(context.Background(), "hf:../x", opt); err == nil {
		t.Errorf("bad repo accepted")
	}
}

// TestWriteParquetTiny copies the first 300 Tiny ImageNet val images to
// an HF-style parquet file and reads them back.
func TestWriteParquetTiny(t *testing.T) {
	root := tinyRoot(t)
	ds, err := Open(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	sorted := TinyImageNetWNIDs()
	var buf bytes.Buffer
	if err := WriteParquet(&buf, firstN{ds, 300}, sorted); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "copy.parquet")
	writeFile(t, file, buf.Bytes())
	back, err := Open(context.Background(), file, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(back.Classes(), sorted) {
		t.Errorf("classes of the copy")
	}
	rows, _ := tinyRows(t, 300)
	checkRows(t, back, rows, file)
	pf, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(pf.RowGroups()) != 3 {
		t.Errorf("%d row groups, want 3 of 100 rows", len(pf.RowGroups()))
	}
}
