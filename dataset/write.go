package dataset

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go"
)

// hfImage is the Hugging Face datasets Image feature as parquet stores
// it: optional group image { optional binary bytes; optional binary path
// (STRING) }.
type hfImage struct {
	Bytes []byte `parquet:"bytes,optional"`
	Path  string `parquet:"path,optional"`
}

// hfRow is one row of a Hugging Face image classification data set.
type hfRow struct {
	Image *hfImage `parquet:"image,optional"`
	Label *int64   `parquet:"label,optional"`
}

// writeRowGroup is how many rows WriteParquet puts in a row group, the
// batch size `datasets` uses for image data.
const writeRowGroup = 100

// WriteParquet writes ds as a Hugging Face style parquet file: an image
// column (struct {bytes, path}, with path null) and an int64 label
// column, 100 rows per row group, and the "huggingface" key-value
// metadata naming classes as the ClassLabel's names. Each label is
// ds.Classes()[s.Label] looked up in classes, so a copy of Tiny ImageNet
// written with TinyImageNetWNIDs() is labelled as Maysee/tiny-imagenet
// is; nil classes means ds.Classes(). A sample with an error, or whose
// class is not in classes, stops the copy with an error naming it.
func WriteParquet(w io.Writer, ds Dataset, classes []string) error {
	src := ds.Classes()
	if classes == nil {
		classes = src
	}
	index := make(map[string]int64, len(classes))
	for i, c := range classes {
		index[c] = int64(i)
	}
	meta, err := hfMetadata(classes)
	if err != nil {
		return err
	}
	pw := parquet.NewGenericWriter[hfRow](w, parquet.KeyValueMetadata(hfMetaKey, meta))
	rows := make([]hfRow, 0, writeRowGroup)
	flush := func() error {
		if len(rows) == 0 {
			return nil
		}
		if _, err := pw.Write(rows); err != nil {
			return err
		}
		rows = rows[:0]
		return pw.Flush()
	}
	err = ds.Each(context.Background(), func(s Sample) error {
		if s.Err != nil {
			return s.Err
		}
		row := hfRow{Image: &hfImage{Bytes: s.Data}}
		if s.Label >= 0 {
			if s.Label >= len(src) {
				return fmt.Errorf("dataset: sample %s: label %d out of range", s.Name, s.Label)
			}
			l, ok := index[src[s.Label]]
			if !ok {
				return fmt.Errorf("dataset: sample %s: class %s is not among the given classes", s.Name, src[s.Label])
			}
			row.Label = &l
		}
		rows = append(rows, row)
		if len(rows) == writeRowGroup {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		pw.Close()
		return err
	}
	return pw.Close()
}

// hfMetadata returns the "huggingface" metadata of an image
// classification data set with these class names.
func hfMetadata(classes []string) (string, error) {
	type feature map[string]any
	m := map[string]any{"info": map[string]any{"features": map[string]any{
		"image": feature{"_type": "Image"},
		"label": feature{"_type": "ClassLabel", "names": classes},
	}}}
	b, err := json.Marshal(m)
	return string(b), err
}
