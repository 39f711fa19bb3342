package dataset

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/parquet-go/parquet-go"
)

// rowBatch is how many rows Each reads at a time.
const rowBatch = 16

// Each reads the files row group by row group, a few rows at a time.
// When a file or row group cannot be read, each of its remaining rows
// becomes a sample with Err set.
func (d *parquetSet) Each(ctx context.Context, fn func(Sample) error) error {
	index := 0
	for i, file := range d.files {
		end := index + int(d.rows[i])
		stop, err := d.eachFile(ctx, file, &index, end, fn)
		if stop != nil {
			return stop
		}
		for row := index - (end - int(d.rows[i])); index < end; index, row = index+1, row+1 {
			if stop := emitErr(file, index, row, err, fn); stop != nil {
				return stop
			}
		}
	}
	return nil
}

// eachFile passes fn the samples of one file from *index on, up to end.
// stop is fn's or ctx's error; err is why the file's remaining rows could
// not be read.
func (d *parquetSet) eachFile(ctx context.Context, file string, index *int, end int, fn func(Sample) error) (stop, err error) {
	r, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	st, err := r.Stat()
	if err != nil {
		return nil, err
	}
	var f *parquet.File
	err = protect(func() error {
		var err error
		f, err = parquet.OpenFile(r, st.Size(), parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
		return err
	})
	if err != nil {
		return nil, err
	}
	cols, err := columnsOf(f)
	if err != nil {
		return nil, err
	}
	row := 0
	for _, rg := range f.RowGroups() {
		groupEnd := min(*index+int(rg.NumRows()), end)
		stop, err := d.eachRow(ctx, file, cols, rg, index, &row, groupEnd, fn)
		if stop != nil {
			return stop, nil
		}
		for ; *index < groupEnd; *index, row = *index+1, row+1 {
			if stop := emitErr(file, *index, row, err, fn); stop != nil {
				return stop, nil
			}
		}
	}
	return nil, nil
}

// eachRow passes fn the rows of rg, up to the sample index end.
func (d *parquetSet) eachRow(ctx context.Context, file string, cols hfColumns, rg parquet.RowGroup, index, row *int, end int, fn func(Sample) error) (stop, err error) {
	var rows parquet.Rows
	if err := protect(func() error { rows = rg.Rows(); return nil }); err != nil {
		return nil, err
	}
	defer protect(rows.Close)
	buf := make([]parquet.Row, rowBatch)
	for *index < end {
		if err := ctx.Err(); err != nil {
			return err, nil
		}
		var n int
		rerr := protect(func() error {
			var err error
			n, err = rows.ReadRows(buf)
			return err
		})
		for _, r := range buf[:n] {
			if *index >= end {
				break
			}
			s := d.sample(file, cols, r, *index, *row)
			if err := fn(s); err != nil {
				return err, nil
			}
			*index, *row = *index+1, *row+1
		}
		if rerr == io.EOF {
			if *index < end {
				return nil, errors.New("row group ended early")
			}
			break
		}
		if rerr != nil {
			return nil, rerr
		}
		if n == 0 {
			return nil, errors.New("no rows read")
		}
	}
	return nil, nil
}

// sample turns one parquet row into a Sample.
func (d *parquetSet) sample(file string, cols hfColumns, r parquet.Row, index, row int) Sample {
	s := Sample{Index: index, Name: fmt.Sprintf("%s#%d", file, row), Label: -1}
	var data []byte
	for _, v := range r {
		switch v.Column() {
		case cols.bytes:
			if !v.IsNull() {
				data = append([]byte(nil), v.ByteArray()...)
			}
		case cols.path:
			if !v.IsNull() && len(v.ByteArray()) > 0 {
				s.Name = string(v.ByteArray())
			}
		case cols.label:
			if !v.IsNull() {
				l := v.Int64()
				if l < 0 || l >= int64(len(d.classes)) {
					s.Err = &SampleError{Name: s.Name, Err: fmt.Errorf("label %d is not a class index (0..%d)", l, len(d.classes)-1)}
					continue
				}
				s.Label = int(l)
			}
		}
	}
	switch {
	case s.Err != nil:
	case len(data) == 0:
		s.Err = &SampleError{Name: s.Name, Err: errors.New("image has no bytes")}
	default:
		s.Data = data
	}
	if s.Err != nil {
		s.Label = -1
		if se, ok := s.Err.(*SampleError); ok {
			se.Name = s.Name
		}
	}
	return s
}

// emitErr passes fn a sample for a row that could not be read.
func emitErr(file string, index, row int, err error, fn func(Sample) error) error {
	if err == nil {
		err = errors.New("row missing")
	}
	name := fmt.Sprintf("%s#%d", file, row)
	return fn(Sample{Index: index, Name: name, Label: -1, Err: &SampleError{Name: file, Err: fmt.Errorf("row %d: %w", row, err)}})
}

// protect runs fn, turning a panic of the parquet reader into an error.
func protect(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("parquet: %v", p)
		}
	}()
	return fn()
}
