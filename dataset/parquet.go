package dataset

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// tinyWNIDs is Tiny ImageNet's 200 wnids in sorted order: the classes of
// the Hugging Face data set Maysee/tiny-imagenet, whose label i is the
// i-th (0 = n01443537, goldfish). It was made by sorting Tiny ImageNet's
// wnids.txt.
//
//go:embed tiny_wnids.txt
var tinyWNIDsTxt string

// TinyImageNetWNIDs returns Tiny ImageNet's 200 wnids in sorted order, the
// label order of the Hugging Face data set Maysee/tiny-imagenet.
func TinyImageNetWNIDs() []string {
	return strings.Fields(tinyWNIDsTxt)
}

// hfMetaKey is the parquet key-value metadata key under which Hugging
// Face `datasets` stores its features as JSON.
const hfMetaKey = "huggingface"

// parquetSet is a Hugging Face image data set stored as parquet files
// with an "image" column (struct {bytes, path}, the datasets Image
// feature) and an optional int64 "label" column (a ClassLabel).
type parquetSet struct {
	name    string
	files   []string
	rows    []int64 // rows per file
	classes []string
	n       int
}

// hfFeatures is the part of the "huggingface" metadata that names the
// classes: {"info": {"features": {"label": {"names": [...]}}}}.
type hfFeatures struct {
	Info struct {
		Features struct {
			Label struct {
				Names []string `json:"names"`
			} `json:"label"`
		} `json:"features"`
	} `json:"info"`
}

// hfColumns are the leaf column indexes of a file; label is -1 when the
// file has no label column.
type hfColumns struct{ bytes, path, label int }

// openParquet opens the parquet files of one split. Classes come from the
// first file's "huggingface" metadata (info.features.label.names); when it
// has none, from fallback when non-nil, else they are the decimal numbers
// 0 .. max label found in the files' column statistics or values.
func openParquet(name string, files []string, fallback []string) (Dataset, error) {
	d := &parquetSet{name: name, files: files}
	maxLabel := int64(-1)
	for i, file := range files {
		err := withParquet(file, func(f *parquet.File) error {
			cols, err := columnsOf(f)
			if err != nil {
				return err
			}
			if i == 0 {
				if s, ok := f.Lookup(hfMetaKey); ok {
					var m hfFeatures
					if err := json.Unmarshal([]byte(s), &m); err != nil {
						return fmt.Errorf("%s metadata: %w", hfMetaKey, err)
					}
					d.classes = m.Info.Features.Label.Names
				}
			}
			if d.classes == nil && fallback == nil && cols.label >= 0 {
				m, err := maxInt64(f, cols.label)
				if err != nil {
					return err
				}
				maxLabel = max(maxLabel, m)
			}
			d.rows = append(d.rows, f.NumRows())
			d.n += int(f.NumRows())
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if d.classes == nil {
		d.classes = fallback
	}
	if d.classes == nil {
		if maxLabel >= 1<<20 {
			return nil, &LayoutError{Path: files[0], Msg: fmt.Sprintf("label %d is too large for a class index", maxLabel)}
		}
		for i := int64(0); i <= maxLabel; i++ {
			d.classes = append(d.classes, strconv.FormatInt(i, 10))
		}
	}
	return d, nil
}

// withParquet opens file as parquet, calls fn, and closes it; errors and
// panics of the parquet reader name the file.
func withParquet(file string, fn func(*parquet.File) error) (err error) {
	r, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	defer r.Close()
	defer func() {
		if p := recover(); p != nil {
			err = &FormatError{File: file, Msg: fmt.Sprintf("parquet: %v", p)}
		}
	}()
	st, err := r.Stat()
	if err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	f, err := parquet.OpenFile(r, st.Size(), parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return &FormatError{File: file, Msg: err.Error()}
	}
	if err := fn(f); err != nil {
		var fe *FormatError
		if errors.As(err, &fe) {
			return err
		}
		return &FormatError{File: file, Msg: err.Error()}
	}
	return nil
}

// columnsOf finds the columns of the datasets Image feature and label.
func columnsOf(f *parquet.File) (hfColumns, error) {
	s := f.Schema()
	b, ok1 := s.Lookup("image", "bytes")
	p, ok2 := s.Lookup("image", "path")
	if !ok1 || !ok2 {
		return hfColumns{}, errors.New(`no "image" column of struct {bytes, path} (a Hugging Face datasets Image feature)`)
	}
	c := hfColumns{bytes: b.ColumnIndex, path: p.ColumnIndex, label: -1}
	if l, ok := s.Lookup("label"); ok {
		if k := l.Node.Type().Kind(); k != parquet.Int64 && k != parquet.Int32 {
			return hfColumns{}, fmt.Errorf(`"label" column is %v, want an integer (ClassLabel)`, k)
		}
		c.label = l.ColumnIndex
	}
	return c, nil
}

// maxInt64 returns the largest value of column col, reading every row
// group's values (labels are small).
func maxInt64(f *parquet.File, col int) (int64, error) {
	m := int64(-1)
	buf := make([]parquet.Value, 1024)
	for _, rg := range f.RowGroups() {
		pages := rg.ColumnChunks()[col].Pages()
		for {
			p, err := pages.ReadPage()
			if err == io.EOF {
				break
			}
			if err != nil {
				pages.Close()
				return 0, err
			}
			vr := p.Values()
			for {
				n, err := vr.ReadValues(buf)
				for _, v := range buf[:n] {
					if !v.IsNull() {
						m = max(m, v.Int64())
					}
				}
				if err == io.EOF {
					break
				}
				if err != nil {
					parquet.Release(p)
					pages.Close()
					return 0, err
				}
			}
			parquet.Release(p)
		}
		pages.Close()
	}
	return m, nil
}

func (d *parquetSet) Name() string      { return d.name }
func (d *parquetSet) Classes() []string { return append([]string(nil), d.classes...) }
func (d *parquetSet) Len() int          { return d.n }
